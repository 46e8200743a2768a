#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, reachable only through a Unix
# socket in its own directory (no TCP port, so clusters of parallel builds
# never meet).
#   scripts/pg-cluster.sh start DIR    create (once) and start; writes DIR/conninfo
#   scripts/pg-cluster.sh crash DIR    stop at once, as a crash would (pg_ctl -m immediate)
#   scripts/pg-cluster.sh stop DIR     stop and delete everything
# Without a PostgreSQL server installed, `start` prints a SKIP line, writes no
# conninfo and succeeds: the PostgreSQL cases are then left out; with
# CHATDESK_REQUIRE_POSTGRES=1 (scripts/test.sh, which installs the server) it fails.
set -euo pipefail
cmd=${1:-}
dir=${2:-}
[ -n "${cmd}" ] && [ -n "${dir}" ] || { echo "usage: $0 start|crash|stop DIR" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "${bin}" ] && command -v initdb >/dev/null; then bin=$(dirname "$(command -v initdb)"); fi

as_server=()
if [ "$(id -u)" -eq 0 ]; then as_server=(runuser -u postgres --); fi

root=""
[ -f "${dir}/root" ] && root=$(cat "${dir}/root")

pg_ctl_run() { "${as_server[@]}" "${bin}/pg_ctl" "$@"; }

case "${cmd}" in
  start)
    if [ -z "${bin}" ] || [ ! -x "${bin}/initdb" ]; then
      if [ "${CHATDESK_REQUIRE_POSTGRES:-0}" = 1 ]; then
        echo "no PostgreSQL server installed, and CHATDESK_REQUIRE_POSTGRES=1 (apt-get install postgresql)" >&2
        exit 1
      fi
      echo "SKIP: no PostgreSQL server installed (apt-get install postgresql); PostgreSQL store tests left out"
      exit 0
    fi
    mkdir -p "${dir}"
    if [ -z "${root}" ] || [ ! -d "${root}/data" ]; then
      # Under /tmp: short enough for a socket path, and reachable by the server's user.
      root=$(mktemp -d /tmp/chatdesk-pg.XXXXXX)
      echo "${root}" > "${dir}/root"
      [ ${#as_server[@]} -eq 0 ] || chown postgres:postgres "${root}"
      "${as_server[@]}" "${bin}/initdb" -D "${root}/data" -A trust -U postgres --no-sync -E UTF8 \
        --locale=C > "${root}/initdb.log" 2>&1 || { cat "${root}/initdb.log" >&2; exit 1; }
    fi
    # fsync off: the tests crash the server, never the machine.
    pg_ctl_run -D "${root}/data" -l "${root}/server.log" -w -t 60 \
      -o "-k ${root} -c listen_addresses='' -p 5432 -c fsync=off -c max_connections=200" start > /dev/null \
      || { cat "${root}/server.log" >&2; exit 1; }
    echo "host=${root} port=5432 user=postgres dbname=postgres" > "${dir}/conninfo"
    echo "PostgreSQL $("${bin}/postgres" --version | awk '{print $3}') running at ${root}"
    ;;
  crash)
    [ -n "${root}" ] || exit 0
    pg_ctl_run -D "${root}/data" -m immediate -w stop > /dev/null
    ;;
  stop)
    if [ -n "${root}" ] && [ -d "${root}/data" ]; then
      pg_ctl_run -D "${root}/data" -m fast -w stop > /dev/null 2>&1 || true
      rm -rf "${root}"
    fi
    rm -f "${dir}/root" "${dir}/conninfo"
    ;;
  *) echo "usage: $0 start|crash|stop DIR" >&2; exit 2 ;;
esac
