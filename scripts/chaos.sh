#!/usr/bin/env bash
# The chaos runner: a fleet on this box (3 machines, 2 managers, real processes) burns jobs whose answer is known in
# closed form while a seeded plan SIGKILLs workers, monitors, managers and whole machines, SIGSTOPs workers and
# whole machines (past their lease) and thaws them, restarts what it killed, and restarts the database (PostgreSQL:
# a cluster of its own, "chaos" on port 5434). It prints lost, duplicated and stale-write counts, every recovery
# time and the seed, and exits non-zero on any of them, a quarantined chunk, or a job not finished in time.
#   scripts/chaos.sh [--store sqlite|postgres] [--duration SECONDS] [--kills N] [--seed N] [--db-restarts N]
# The long runs (issue 16): scripts/chaos.sh --store sqlite --duration 600 --kills 210; the same with --store postgres --db-restarts 3
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/HeavyJobs.Chaos -c Release -nologo -clp:ErrorsOnly >/dev/null
exec dotnet tests/HeavyJobs.Chaos/bin/Release/net10.0/HeavyJobs.Chaos.dll "$@"
