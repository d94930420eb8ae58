#!/usr/bin/env bash
# The WHOIS demo at full size on one machine and one SQLite file (issue 17's million on SQLite): `heavyjobs run`
# (manager, monitor, dashboard and the local WHOIS server in its process; 4 fetch workers, 1 parser, 1 aggregator)
# over as many domains as you ask, with the servers' limits high enough that HeavyJobs is what is measured.
#   scripts/sqlite-whois.sh [DOMAINS] [RATE]   (default 1,000,000 domains at 1,000 queries a second per server)
# While it runs, every second the RSS of each HeavyJobs process (by role) and the domains fetched so far go to
# $HEAVYJOBS_SQLITE_WHOIS_OUT/rss.tsv (default artifacts/sqlite-whois); at the end it prints each role's peak up to
# a tenth of the domains fetched and after (issue 17's 100,000 → 1,000,000), the run's time and CPU, and the
# database's table sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
domains="${1:-1000000}" rate="${2:-1000}"
out="${HEAVYJOBS_SQLITE_WHOIS_OUT:-artifacts/sqlite-whois}"
mkdir -p "$out"
dotnet build src/HeavyJobs.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
# Run from a copy of the build: a rebuild during a run of an hour would overwrite the files its workers start from.
rm -rf "$out/bin" "$out"/heavyjobs.db*
cp -a src/HeavyJobs.Cli/bin/Release/net10.0 "$out/bin"
bin=$(realpath "$out/bin") db=$(realpath -m "$out/heavyjobs.db")
step=$((domains / 10))

sample() {
  local fetched=0
  printf 'epoch\tfetched\trole\tpid\trss_kb\n' >"$out/rss.tsv"
  while sleep 1; do
    fetched=$(sqlite3 -readonly "$db" "SELECT coalesce(sum(done), 0) FROM hj_chunks WHERE stage = 0" 2>/dev/null || echo "$fetched")
    ps -eo pid=,rss=,args= | awk -v t="$(date +%s)" -v f="${fetched:-0}" -v bin="$bin" '
      index($0, bin "/heavyjobs.dll") && $3 != "timeout" {
        role = ""
        for (i = 3; i <= NF; i++) {
          if ($i == "run") { role = "run (manager, monitor, dashboard, WHOIS server)"; break }
          if ($i == "--types") { role = "worker " $(i+1); break }
        }
        if (role != "") printf "%s\t%s\t%s\t%s\t%s\n", t, f, role, $1, $2
      }' >>"$out/rss.tsv"
  done
}
sample &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

status=0
/usr/bin/time -f "wall %e s, user %U s, system %S s (the run and its workers)" \
  dotnet "$bin/heavyjobs.dll" run --db "$db" --domains "$domains" --fetch-rate "$rate" --urls http://127.0.0.1:18080 \
  >"$out/run.log" 2>&1 || status=$?
kill "$sampler" 2>/dev/null || true
tail -n 60 "$out/run.log"

echo "Peak RSS by role (MB), up to $step domains fetched and after ($out/rss.tsv):"
awk -F'\t' -v step="$step" 'NR > 1 { k = $3; if ($2 <= step) { if ($5 > a[k]) a[k] = $5 } else { if ($5 > b[k]) b[k] = $5 }; seen[k] = 1 }
  END { for (k in seen) printf "  %-48s %8.1f %8.1f  %s\n", k, a[k] / 1024, b[k] / 1024, (a[k] > 0 && b[k] > 0) ? sprintf("growth %.2f", b[k] / a[k]) : "" }' "$out/rss.tsv" | sort
echo "Tables (bytes, indexes included):"
sqlite3 -readonly "$db" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12" 2>/dev/null | sed 's/^/  /' || true
ls -l "$out"/heavyjobs.db* | sed 's/^/  /'
exit "$status"
