#!/usr/bin/env bash
# Measures HeavyJobs against Hangfire and the bare limits of this machine, in one run.
# Usage: ./bench.sh [--quick | --full] [--only scenario,scenario] [--no-pg-restart]
#   --quick (the default) takes under 5 minutes after the build; --full is the long version.
# Writes bench/results/latest.json, latest.md and latest.png (docs/performance.md explains them).
#
# PostgreSQL: the local cluster the tests use (scripts/ensure-postgres.sh), fsync on, in a database of the
# bench's own (heavyjobs_bench). Statements are counted with pg_stat_statements, which must be preloaded:
# if it is not, this script sets shared_preload_libraries once (ALTER SYSTEM) and restarts the cluster
# with pg_ctlcluster. Pass --no-pg-restart to skip that; statement counts are then missing from the results.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

restart=1
args=()
for a in "$@"; do
  case "$a" in
    --no-pg-restart) restart=0 ;;
    *) args+=("$a") ;;
  esac
done

pg=$(scripts/ensure-postgres.sh | tail -1)
export HEAVYJOBS_TEST_POSTGRES=$pg
psql_pg() { psql "postgresql://heavyjobs:heavyjobs@127.0.0.1:$(echo "$pg" | sed -E 's/.*Port=([0-9]+).*/\1/')/heavyjobs_test" -tAc "$1"; }
if ! psql_pg "SHOW shared_preload_libraries" | grep -q pg_stat_statements; then
  if [ "$restart" = 1 ]; then
    echo "enabling pg_stat_statements (restarts the local PostgreSQL cluster once)"
    current=$(psql_pg "SHOW shared_preload_libraries")
    psql_pg "ALTER SYSTEM SET shared_preload_libraries = '${current:+$current,}pg_stat_statements'" >/dev/null
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    if [ "$(id -u)" -eq 0 ]; then pg_ctlcluster "$version" main restart; else sudo pg_ctlcluster "$version" main restart; fi
    pg=$(scripts/ensure-postgres.sh | tail -1)
  else
    echo "pg_stat_statements is not preloaded and --no-pg-restart was given: statement counts will be missing"
  fi
fi

dotnet build HeavyJobs.slnx -c Release -nologo -v q -clp:"ErrorsOnly;NoSummary"
exec dotnet bench/HeavyJobs.Bench/bin/Release/net10.0/heavyjobs-bench.dll run "${args[@]}" --pg "$pg"
