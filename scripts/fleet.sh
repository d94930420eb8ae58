#!/usr/bin/env bash
# A fleet on this box, for a person to watch: N machines (monitors with their own names and boot ids), two
# managers (one leads, one stands by) and the dashboard, on a fresh schema of the local PostgreSQL, running the
# primes demo spread over the fleet. Kill a machine's monitor (its pid is printed) and watch the dashboard.
#   ./scripts/fleet.sh [N=3]        Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}
base=$(scripts/ensure-postgres.sh | tail -1)
schema="fleet_$(date +%s)"
export HEAVYJOBS_DB="$base;Search Path=$schema"
dotnet build src/HeavyJobs.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
hj() { dotnet src/HeavyJobs.Cli/bin/Release/net10.0/heavyjobs.dll "$@"; }
hj migrate >/dev/null
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; echo "fleet stopped (schema $schema kept)"' EXIT
for i in $(seq 1 "$n"); do
  HeavyJobs__Monitor__BootId="boot-m$i-$(date +%s)" hj monitor --node "m$i" > "/tmp/heavyjobs-fleet-m$i.log" 2>&1 &
  pids+=($!); echo "machine m$i: monitor pid $! (log /tmp/heavyjobs-fleet-m$i.log)"
done
for i in 1 2; do hj manager > "/tmp/heavyjobs-fleet-manager$i.log" 2>&1 & pids+=($!); echo "manager $i: pid $!"; done
hj web --urls http://127.0.0.1:5080 > /tmp/heavyjobs-fleet-web.log 2>&1 & pids+=($!)
sleep 3
hj workers scale demo.primes=$((2 * n)) --fleet
job=$(mktemp --suffix=.yaml)
printf 'name: primes on a fleet\ntype: demo.primes\nparameters:\n  segment: 1000000\nsplit:\n  range: { start: 0, end: 20000000000, size: 100000000 }\n' > "$job"
hj submit "$job"
echo "dashboard: http://127.0.0.1:5080/workers   machines: HEAVYJOBS_DB='$HEAVYJOBS_DB' heavyjobs machines"
wait
