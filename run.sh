#!/usr/bin/env bash
# Runs the main job on this machine, everything on SQLite, in one command: the WHOIS pilot (a refresh of
# several thousand domains from a local WHOIS server: fetch → parse → aggregate), with the dashboard.
# Usage: ./run.sh [heavyjobs run options, e.g. --workers 4]
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p .heavyjobs
dotnet build src/HeavyJobs.Cli -c Release -nologo -clp:ErrorsOnly
exec dotnet src/HeavyJobs.Cli/bin/Release/net10.0/heavyjobs.dll run --db .heavyjobs/heavyjobs.db "$@"
