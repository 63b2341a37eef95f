#!/usr/bin/env bash
# A throwaway PostgreSQL server from the distribution's packages (apt-get install postgresql), for the job
# service's tests and benchmark. Run as root it runs the server as the `postgres` user.
#
#   scripts/postgres.sh start DIR PORT   # a new cluster in DIR (must not exist) on 127.0.0.1:PORT; prints its URL
#   scripts/postgres.sh stop DIR
set -euo pipefail
bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; break; fi
done
if [ -z "$bindir" ]; then
  echo "PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql" >&2
  exit 3
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
command=${1:?give start or stop}
dir=${2:?give the cluster folder}
case $command in
  start)
    port=${3:?the port}
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    run "$bindir/initdb" -D "$dir/data" -U logistics --auth=trust -E UTF8 > "$dir/initdb.log"
    run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
    run "$bindir/createdb" -h 127.0.0.1 -p "$port" -U logistics logistics
    echo "postgresql://logistics@127.0.0.1:$port/logistics"
    ;;
  stop)
    run "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    ;;
  *)
    echo "usage: postgres.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
