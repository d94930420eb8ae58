#!/usr/bin/env bash
# The WHOIS refresh on a three-machine fleet at full size (issue 15, "What it must show" 2): 20,000 domains of the
# synthetic population, PostgreSQL, one manager, machine c SIGKILLed whole mid-run and never restarted. The suite
# runs the same test on 600 domains (MachineDeathScenarios); this runs it on as many as you ask.
#   scripts/fleet-whois.sh [DOMAINS] [RATE]  (default 20000 domains at 40 queries a second per server, fleet-wide:
#                                             the busiest server has 38% of the domains, so ~3 minutes of fetching)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export HEAVYJOBS_FLEET_WHOIS_DOMAINS="${1:-20000}" HEAVYJOBS_FLEET_WHOIS_RATE="${2:-40}"
if [[ -z "${HEAVYJOBS_TEST_POSTGRES:-}" ]]; then
  HEAVYJOBS_TEST_POSTGRES="$(scripts/ensure-postgres.sh | tail -1)"
  export HEAVYJOBS_TEST_POSTGRES
fi
dotnet build tests/HeavyJobs.Fleet.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
exec dotnet test tests/HeavyJobs.Fleet.Tests -c Release --no-build --filter "FullyQualifiedName~MachineDeathScenarios" --logger "console;verbosity=detailed"

