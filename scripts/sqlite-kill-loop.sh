#!/usr/bin/env bash
# SQLite crash safety, at length: SIGKILLs a real worker process N times while it writes (default 300), checking
# after each kill that PRAGMA integrity_check is ok and every chunk invariant holds, then finishes the work and
# checks every item was written once. The same test runs in the suite with a few dozen kills.
#   scripts/sqlite-kill-loop.sh [N] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-300}
seed=${2:-16}
dotnet build tests/HeavyJobs.Runtime.Tests -c Release -nologo -clp:ErrorsOnly
HEAVYJOBS_KILLS=$kills HEAVYJOBS_KILL_SEED=$seed dotnet test tests/HeavyJobs.Runtime.Tests -c Release --no-build \
  --filter "FullyQualifiedName~SqliteKillLoopTests" --logger "console;verbosity=detailed" | grep -E "sqlite kill loop|Passed|Failed|Assert|after kill|at the end|Total tests"
