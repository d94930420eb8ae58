#!/usr/bin/env bash
# Runs every test of HeavyJobs, PostgreSQL ones included. Starts (and if need be installs) what they need.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Sqlite]
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-packages.sh whois
HEAVYJOBS_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -1)
export HEAVYJOBS_TEST_POSTGRES
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build HeavyJobs.slnx -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
set +e
# A hung test fails its assembly with a dump instead of running into CI's time limit.
dotnet test HeavyJobs.slnx -c Release --no-build -nologo --blame-hang-timeout 5m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
