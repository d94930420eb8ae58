#!/usr/bin/env bash
# The WHOIS fetch rate in issue 17's case: 1,000 domains from the local WHOIS server answering in 300 ms,
# 100 queries/s and 8 at once per server, 4 fetch workers (on SQLite). Prints domains/s and the ratio to the
# best rate those limits allow for the domain mix. Not part of the test suite (it takes about a minute).
#   scripts/whois-fetch-rate.sh [DOMAINS=1000] [FETCH_WORKERS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
export HEAVYJOBS_FETCH_RATE=1 HEAVYJOBS_FETCH_DOMAINS=${1:-1000} HEAVYJOBS_FETCH_WORKERS=${2:-4}
dotnet build tests/HeavyJobs.Runtime.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet test tests/HeavyJobs.Runtime.Tests -c Release --no-build --filter "FullyQualifiedName~WhoisFetchRate" \
  --logger "console;verbosity=detailed" | grep -E "fetch stage:|Passed|Failed" | sort -u
