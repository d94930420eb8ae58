#!/usr/bin/env bash
# The WHOIS refresh on a three-machine fleet at full size (issue 15, "What it must show" 2; issue 17's million):
# the synthetic population, PostgreSQL, one manager, machine c SIGKILLed whole mid-run and never restarted. The suite
# runs the same test on 600 domains (MachineDeathScenarios); this runs it on as many as you ask.
#   scripts/fleet-whois.sh [DOMAINS] [RATE]  (default 20000 domains at 40 queries a second per server, fleet-wide:
#                                             the busiest server has 38% of the domains, so ~3 minutes of fetching)
#   scripts/fleet-whois.sh 1000000 1000      (the million, with limits high enough that the fleet is measured)
#   scripts/fleet-whois.sh 1000000 1000 --no-kill   (the same, machine c left alive: each process's memory as the
#                                             refresh grows, without the dead machine's workers moving onto the others)
# While it runs, every 5 s the RSS of each HeavyJobs process (by role) and the domains fetched so far go to
# $HEAVYJOBS_FLEET_WHOIS_OUT/rss.tsv (default artifacts/fleet-whois); at the end each role's peak up to 100,000
# domains fetched and after is printed, and the test prints the schema's table sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export HEAVYJOBS_FLEET_WHOIS_DOMAINS="${1:-20000}" HEAVYJOBS_FLEET_WHOIS_RATE="${2:-40}" HEAVYJOBS_FLEET_WHOIS_KILL=1
if [[ "${3:-}" == "--no-kill" ]]; then HEAVYJOBS_FLEET_WHOIS_KILL=0; elif [[ -n "${3:-}" ]]; then echo "unknown option: $3" >&2; exit 2; fi
if [[ -z "${HEAVYJOBS_TEST_POSTGRES:-}" ]]; then
  HEAVYJOBS_TEST_POSTGRES="$(scripts/ensure-postgres.sh | tail -1)"
  export HEAVYJOBS_TEST_POSTGRES
fi
# The fleet's processes run the test host, which keeps tiered compilation on for the suite's short-lived processes;
# here they live an hour, so they run as the shipped executable does (src/HeavyJobs.Cli/LongLivedProcess.props):
# every method compiled once, fully optimised, rather than recompiled in the background for minutes, and the
# collector compacting a fragmented heap rather than keeping it committed.
export DOTNET_TieredCompilation=0 DOTNET_GCConserveMemory=7
out="${HEAVYJOBS_FLEET_WHOIS_OUT:-artifacts/fleet-whois}"
mkdir -p "$out"
dotnet build tests/HeavyJobs.Fleet.Tests -c Release -nologo -clp:ErrorsOnly >/dev/null
# Run from a copy of the build: a rebuild during a run of hours would overwrite the files its processes run from.
# (The copy stays under the repository, where the harness finds the repository's root.)
case "$(realpath -m "$out")" in "$PWD"/*) ;; *) echo "HEAVYJOBS_FLEET_WHOIS_OUT must lie inside the repository" >&2; exit 2 ;; esac
rm -rf "$out/bin" "$out/host"
cp -a tests/HeavyJobs.Fleet.Tests/bin/Release/net10.0 "$out/bin"
# The fleet's processes run the test host's own build as it comes from the compiler, not the ready-to-run copy the
# suite starts: with tiered compilation off, precompiled code would never be replaced by fully optimised code.
cp -a tests/HeavyJobs.TestHost/bin/Release/net10.0 "$out/host"
rm -rf "$out/host/ready-to-run"
HEAVYJOBS_TEST_HOST_DIR=$(realpath "$out/host")
export HEAVYJOBS_TEST_HOST_DIR

# libpq's form of the Npgsql connection string (Host=…;Port=…;Username=…;Password=…;Database=…).
libpq=$(tr ';' '\n' <<<"$HEAVYJOBS_TEST_POSTGRES" | awk -F= 'tolower($1)=="host"{h=$2} tolower($1)=="port"{p=$2}
  tolower($1)=="username"{u=$2} tolower($1)=="password"{w=$2} tolower($1)=="database"{d=$2}
  END{printf "host=%s port=%s user=%s password=%s dbname=%s", h, p ? p : 5432, u, w, d}')
sample() {
  local schema="" fetched=0 before bin host
  bin=$(realpath "$out/bin")
  host=$HEAVYJOBS_TEST_HOST_DIR
  # The run's schema is the first f_… one made after the sampler started (tests run meanwhile make others).
  before=$(psql "$libpq" -Atqc "SELECT coalesce(max(oid::bigint), 0) FROM pg_namespace" 2>/dev/null || echo 0)
  printf 'epoch\tfetched\trole\tpid\trss_kb\n' >"$out/rss.tsv"
  while sleep 5; do
    if [[ -z "$schema" ]]; then
      schema=$(psql "$libpq" -Atqc "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'f\_%' AND oid::bigint > $before ORDER BY oid LIMIT 1" 2>/dev/null || true)
    fi
    if [[ -n "$schema" ]]; then
      fetched=$(psql "$libpq" -Atqc "SELECT coalesce(sum(done), 0) FROM \"$schema\".hj_chunks WHERE stage = 0" 2>/dev/null || echo "$fetched")
    fi
    # Only this run's processes: they run from its copy of the build.
    ps -eo pid=,rss=,args= | awk -v t="$(date +%s)" -v f="${fetched:-0}" -v bin="$bin" -v host="$host" '
      index($0, host "/HeavyJobs.TestHost.dll") {
        role = ""
        for (i = 3; i <= NF; i++) {
          if ($i == "manager" || $i == "monitor") { role = $i; break }
          if ($i == "--types") { role = "worker " $(i+1); break }
        }
        if (role != "") printf "%s\t%s\t%s\t%s\t%s\n", t, f, role, $1, $2
      }
      $3 == bin "/HeavyJobs.Fleet.Tests" { printf "%s\t%s\t%s\t%s\t%s\n", t, f, "test (driver, WHOIS server)", $1, $2 }
    ' >>"$out/rss.tsv"
  done
}
sample &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

status=0
/usr/bin/time -f "wall %e s, user %U s, system %S s (the test process and what it waited for)" \
  dotnet test "$out/bin/HeavyJobs.Fleet.Tests.dll" --filter "FullyQualifiedName~MachineDeathScenarios" \
  --logger "console;verbosity=detailed" || status=$?
kill "$sampler" 2>/dev/null || true

echo "Peak RSS by role (MB), up to 100,000 domains fetched and after ($out/rss.tsv):"
awk -F'\t' 'NR > 1 { k = $3; if ($2 <= 100000) { if ($5 > a[k]) a[k] = $5 } else { if ($5 > b[k]) b[k] = $5 }; seen[k] = 1 }
  END { for (k in seen) printf "  %-28s %8.1f %8.1f  %s\n", k, a[k] / 1024, b[k] / 1024, (a[k] > 0 && b[k] > 0) ? sprintf("growth %.2f", b[k] / a[k]) : "" }' "$out/rss.tsv" | sort
exit "$status"
