#!/usr/bin/env bash
# Runs every test of HeavyJobs, PostgreSQL ones included. Starts (and if need be installs) what they need.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Sqlite]
set -euo pipefail
cd "$(dirname "$0")"

# The whois client, a browser for the dashboard's tests, and promtool for its metrics and alert rules.
# zabbix-agent2: the real agent reads the Zabbix items (a test runs its item test against a running monitor).
scripts/ensure-packages.sh whois chromium prometheus zabbix-agent2
HEAVYJOBS_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -1)
export HEAVYJOBS_TEST_POSTGRES
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build HeavyJobs.slnx -c Release -nologo -clp:ErrorsOnly
# The packages (the libraries and the heavyjobs .NET tool) into a local feed, from which a test installs the tool.
rm -rf artifacts/feed
dotnet pack HeavyJobs.slnx -c Release --no-build -nologo -clp:ErrorsOnly -o artifacts/feed
HEAVYJOBS_TEST_FEED=$PWD/artifacts/feed
export HEAVYJOBS_TEST_FEED

log=$(mktemp)
set +e
# The Python worker's own protocol tests (standard library only).
python3 -m unittest discover -s workers/python 2>&1 | tee -a "$log"
py_status=${PIPESTATUS[0]}
# A hung test fails its assembly with a dump instead of running into CI's time limit. (Four assemblies at a time
# was tried: on a loaded two-core machine a `heavyjobs` command then took over 30 s to start.)
dotnet test HeavyJobs.slnx -c Release --no-build -nologo --blame-hang-timeout 5m "$@" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
set -e
[ "$py_status" -ne 0 ] && status=$py_status

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     /^Ran [0-9]+ tests? in/ { py = $2 }
     /^FAILED \(/ { if (match($0, /(failures|errors)=[0-9]+/)) { pf = substr($0, RSTART, RLENGTH); sub(/.*=/, "", pf); f += pf; py -= pf } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p + py, f, s }' "$log"
rm -f "$log"
exit "$status"
