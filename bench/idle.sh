#!/usr/bin/env bash
# Idle cost: one monitor with 8 idle workers for N seconds (default 60), on SQLite and on PostgreSQL.
# Reports the CPU used by the monitor and all its workers together, as % of one core (from /proc),
# and for PostgreSQL the transactions per second the idle fleet costs the database (pg_stat_database).
# Usage: bench/idle.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
pg=$(scripts/ensure-postgres.sh | tail -1)
dotnet build src/HeavyJobs.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
hj="dotnet $PWD/src/HeavyJobs.Cli/bin/Release/net10.0/heavyjobs.dll"
work=$(mktemp -d)
trap 'pkill -f "$work" 2>/dev/null || true; rm -rf "$work"' EXIT

# Sum of utime+stime (clock ticks) of a process and its whole process-group-led children.
ticks() { awk '{ s = 0 } { n = split($0, f, ") "); split(f[n], g, " "); s += g[12] + g[13] } END { print s }' "$@" 2>/dev/null; }
pids_of() { pgrep -f -- "$1" | tr '\n' ' '; }

measure() {
  local name=$1 db=$2
  local node="idle-$name-$$"
  HEAVYJOBS_DB="$db" $hj migrate >/dev/null
  HEAVYJOBS_DB="$db" $hj workers scale demo.primes=8 --node "$node" >/dev/null
  HEAVYJOBS_DB="$db" setsid $hj monitor --node "$node" >"$work/$name.log" 2>&1 &
  local monitor=$!
  # Let the workers start and settle, then measure.
  for _ in $(seq 1 100); do
    [ "$(HEAVYJOBS_DB="$db" $hj workers ps --json --node "$node" | grep -c '"state": "idle"')" -ge 8 ] && break
    sleep 0.2
  done
  sleep 2
  local pids; pids="$monitor $(pgrep -s "$(ps -o sid= -p "$monitor" | tr -d ' ')" | tr '\n' ' ')"
  pids=$(echo "$pids $(pgrep -f "worker --monitored" | tr '\n' ' ')" | tr ' ' '\n' | sort -u | tr '\n' ' ')
  local files=(); for p in $pids; do files+=("/proc/$p/stat"); done
  local commits0=0 commits1=0
  if [ "$name" = postgres ]; then commits0=$(psql "postgresql://heavyjobs:heavyjobs@127.0.0.1:5432/heavyjobs_test" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"); fi
  local t0; t0=$(ticks "${files[@]}")
  sleep "$seconds"
  local t1; t1=$(ticks "${files[@]}")
  if [ "$name" = postgres ]; then commits1=$(psql "postgresql://heavyjobs:heavyjobs@127.0.0.1:5432/heavyjobs_test" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"); fi
  local hz; hz=$(getconf CLK_TCK)
  local cpu; cpu=$(echo "scale=3; 100 * ($t1 - $t0) / $hz / $seconds" | bc)
  local procs; procs=$(echo "$pids" | wc -w)
  if [ "$name" = postgres ]; then
    printf '%-9s %d processes (monitor + 8 idle workers), %ss: %s%% of one core; %s database transactions/s (whole database)\n' "$name" "$procs" "$seconds" "$cpu" "$(echo "scale=2; ($commits1 - $commits0 - 2) / $seconds" | bc)"
  else
    printf '%-9s %d processes (monitor + 8 idle workers), %ss: %s%% of one core\n' "$name" "$procs" "$seconds" "$cpu"
  fi
  kill -TERM "$monitor"; wait "$monitor" 2>/dev/null || true
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
measure sqlite "$work/idle.db"
measure postgres "$(echo "$pg" | sed "s/Database=heavyjobs_test/Database=heavyjobs_test;Search Path=idle_$$/")"
