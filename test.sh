#!/usr/bin/env bash
# Runs every test of HeavyJobs, PostgreSQL ones included. Starts (and if need be installs) what they need.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Sqlite]
set -euo pipefail
cd "$(dirname "$0")"

HEAVYJOBS_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -1)
export HEAVYJOBS_TEST_POSTGRES
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The suite is bound by the CPU of the .NET processes it starts (about 450 heavyjobs processes, ten test runners,
# the build's compilers), and much of it is the JIT's. Three runtime settings cut that work without changing what
# any process does (docs/performance.md, "The test suite's time", 2026-12-07): no W^X toggling of the JIT's code
# pages (each toggle is system calls and TLB flushes, dear on this paravirtualised box), no profile-guided
# recompilation (which the test host already goes without), and a method recompiled fully optimised after 500 calls
# instead of 30: most of what these processes call is ready-to-run code already optimised, and a process that lives
# seconds never earns back recompiling it. The monitor tests, side by side: 6 % less CPU for the first two, 11 % less
# again for the third.
export DOTNET_EnableWriteXorExecute=0 DOTNET_TieredPGO=0 DOTNET_TC_CallCountThreshold=500

# The whois client, a browser for the dashboard's tests, and promtool for its metrics and alert rules.
# zabbix-agent2: the real agent reads the Zabbix items (a test runs its item test against a running monitor).
# Installed while the build runs (on a fresh machine each takes about a minute); after PostgreSQL's check, which
# may install too, so that two apt-gets never wait on each other's lock.
packages_log=$(mktemp)
scripts/ensure-packages.sh whois chromium prometheus zabbix-agent2 >"$packages_log" 2>&1 &
packages_pid=$!

dotnet build HeavyJobs.slnx -c Release -nologo -clp:ErrorsOnly
# The packages (the libraries and the heavyjobs .NET tool) into a local feed, from which a test installs the tool.
rm -rf artifacts/feed
dotnet pack HeavyJobs.slnx -c Release --no-build -nologo -clp:ErrorsOnly -o artifacts/feed
HEAVYJOBS_TEST_FEED=$PWD/artifacts/feed
export HEAVYJOBS_TEST_FEED
if ! wait "$packages_pid"; then
  cat "$packages_log" >&2
  echo "test.sh: installing the packages the tests need failed (above)" >&2
  exit 1
fi
cat "$packages_log"
rm -f "$packages_log"
echo "test.sh: built, packed and ready to test after ${SECONDS} s"

log=$(mktemp)
set +e
# The Python worker's own protocol tests (standard library only). Before the lanes, not beside them: they time
# heartbeats and exits in real time, which a machine busy with the lanes cannot keep (a worker's hello took over 3 s).
python3 -m unittest discover -s workers/python 2>&1 | tee -a "$log"
py_status=${PIPESTATUS[0]}
echo "test.sh: the Python worker's tests done after ${SECONDS} s"
# Two assemblies at a time, in two lanes packed by hand from their times in full runs (measured 2026-12-06: Fleet
# 7.5 minutes, Web 2.4, Cli 2.2, the PostgreSQL store's 1.5, Runtime 10.8 with its three tests at a time, as most of
# them wait on real processes and real time): Fleet, Web, Cli and the quick ones in the first lane, Runtime, the
# PostgreSQL store's and the rest in the second (Cli in the second made it the longer by 1.5 minutes). Left to `dotnet test HeavyJobs.slnx`, the longest started third
# and ran its last minutes alone. (Four assemblies at a time was tried: on a loaded two-core machine a `heavyjobs`
# command then took over 30 s to start.) Each runs from its built assembly, which spares an evaluation of its
# project per assembly (10-35 s each under the suite's load). A hung test fails its assembly with a dump instead of
# running into CI's time limit.
first_lane=(HeavyJobs.Fleet.Tests HeavyJobs.Web.Tests HeavyJobs.Cli.Tests HeavyJobs.Whois.Tests HeavyJobs.Testing.Tests)
second_lane=(HeavyJobs.Runtime.Tests HeavyJobs.Storage.Postgres.Tests)
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  [[ " ${first_lane[*]} ${second_lane[*]} " == *" $name "* ]] || second_lane+=("$name")
done
extra=("$@")
# A lane writes its status to a file: the exit status of a pipeline put in the background is its tee's.
run_lane() {
  local status_file=$1 lane_status=0 name
  shift
  for name in "$@"; do
    dotnet test "tests/$name/bin/Release/net10.0/$name.dll" --blame-hang-timeout 5m "${extra[@]}" || lane_status=1
  done
  echo "$lane_status" > "$status_file"
}
run_lane "$log.s1" "${first_lane[@]}" 2>&1 | tee "$log.1" &
first_pid=$!
run_lane "$log.s2" "${second_lane[@]}" 2>&1 | tee "$log.2"
wait "$first_pid"
status=0
[ "$(cat "$log.s1" 2>/dev/null)" = 0 ] && [ "$(cat "$log.s2" 2>/dev/null)" = 0 ] || status=1
cat "$log.1" "$log.2" >> "$log"
rm -f "$log".[12] "$log".s[12]
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
echo "test.sh: done after ${SECONDS} s"
exit "$status"
