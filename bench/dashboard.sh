#!/usr/bin/env bash
# Times every dashboard page at fleet scale: a million chunks, a hundred workers, a month of per-minute throughput.
# Usage: bench/dashboard.sh [sqlite|postgres|both] [options passed on, e.g. --chunks 200000 --runs 5]
# Prints one JSON object per store (per page: the server's own time and the round trip; max_page_ms is the slowest
# page's median server time) and exits non-zero when a page is over the 200 ms budget.
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-both}
[ $# -gt 0 ] && shift
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/dashboard -c Release -nologo -clp:ErrorsOnly >&2
run() { dotnet bench/dashboard/bin/Release/net10.0/HeavyJobs.Bench.Dashboard.dll --store "$1" "${@:2}"; }
status=0
case "$which" in
  sqlite) run sqlite "$@" || status=$? ;;
  postgres)
    HEAVYJOBS_TEST_POSTGRES=${HEAVYJOBS_TEST_POSTGRES:-$(scripts/ensure-postgres.sh | tail -1)}; export HEAVYJOBS_TEST_POSTGRES
    run postgres "$@" || status=$? ;;
  both)
    run sqlite "$@" || status=$?
    HEAVYJOBS_TEST_POSTGRES=${HEAVYJOBS_TEST_POSTGRES:-$(scripts/ensure-postgres.sh | tail -1)}; export HEAVYJOBS_TEST_POSTGRES
    run postgres "$@" || status=$? ;;
  *) echo "usage: bench/dashboard.sh [sqlite|postgres|both] [--chunks N --workers N --days N --runs N --keep]" >&2; exit 2 ;;
esac
exit "$status"
