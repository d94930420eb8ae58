#!/usr/bin/env bash
# Makes sure a local PostgreSQL server runs with the role and database the tests use.
# Installs Debian's packages if missing, creates and starts the cluster with pg_ctlcluster. Idempotent.
# HEAVYJOBS_PG_CLUSTER names another cluster (created on HEAVYJOBS_PG_PORT): the outage tests restart one of
# their own, so the tests running beside them on "main" keep their connections.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root su postgres -c "$1"; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -1)
cluster=${HEAVYJOBS_PG_CLUSTER:-main}
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version $cluster"; then
  as_root pg_createcluster ${HEAVYJOBS_PG_PORT:+--port "$HEAVYJOBS_PG_PORT"} "$version" "$cluster" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" "$cluster" start
fi

port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$port" >/dev/null

role=${HEAVYJOBS_PG_ROLE:-heavyjobs}
db=${HEAVYJOBS_PG_DATABASE:-heavyjobs_test}
if [ "$(as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$role'\"")" != "1" ]; then
  as_postgres "psql -p $port -qc \"CREATE ROLE $role LOGIN SUPERUSER PASSWORD '$role'\""
fi
if [ "$(as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname = '$db'\"")" != "1" ]; then
  as_postgres "createdb -p $port -O $role $db"
fi
echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$role;Database=$db"
