#!/usr/bin/env bash
# Run the test suite against real services: a throwaway PostgreSQL cluster and Redis server,
# started on free loopback ports and removed on exit (also on failure or CTRL-C).
#   bash tests/run.sh [pytest args...]
# Honoured: DATABASE_URL (use that database, start no PostgreSQL),
#           CELERY_BROKER_URL (use that broker, start no Redis).
# Exports UPLIFT_TEST_SERVICES=1 so tests know real services are present.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
now() { date +%s%N; }
since() { local t=$(( ($(now) - $1) / 1000000 )); printf '%d.%03ds' $((t / 1000)) $((t % 1000)); }

# --- Debian packages (root only; a machine that has everything never touches apt) -------------
find_pg_bin() {
    local d
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        PG_BIN=$(dirname "$(command -v pg_ctl)")
        return 0
    fi
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then PG_BIN=$d; return 0; fi
    done
    return 1
}

need_pkgs=()
[[ -n ${CELERY_BROKER_URL:-} ]] || command -v redis-server >/dev/null || need_pkgs+=(redis-server)
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v pdftoppm >/dev/null || need_pkgs+=(poppler-utils)
[[ -n ${DATABASE_URL:-} ]] || find_pg_bin || need_pkgs+=(postgresql)
if ((${#need_pkgs[@]})); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        say "apt-get installing ${need_pkgs[*]}"
        t0=$(now)
        export DEBIAN_FRONTEND=noninteractive
        apt-get -qq -o DPkg::Lock::Timeout=600 update >/dev/null
        apt-get -qq -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null
        say "apt-get done ($(since "$t0"))"
    else
        say "WARNING: missing Debian packages (${need_pkgs[*]}); run as root to install them"
    fi
fi

# --- Python environment ----------------------------------------------------------------------
make -s install

# --- Cleanup trap: installed before anything is started ----------------------------------------
TMP=""
PG_DATA=""
REDIS_PID=""
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    local rc=$? t0
    trap - EXIT INT TERM HUP
    t0=$(now)
    if [[ -n $REDIS_PID ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
        kill -TERM "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 20 stop >/dev/null 2>&1 || {
            local pid
            pid=$(head -1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
            [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null || true
        }
    fi
    [[ -n $TMP ]] && rm -rf "$TMP"
    [[ -n $TMP ]] && say "services stopped, temp dir removed ($(since "$t0"))"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

free_port() {
    .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ -z ${DATABASE_URL:-} || -z ${CELERY_BROKER_URL:-} ]]; then
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/uplift-test.XXXXXX")
    chmod 755 "$TMP"
fi

# --- PostgreSQL --------------------------------------------------------------------------------
if [[ -n ${DATABASE_URL:-} ]]; then
    say "using DATABASE_URL from the environment"
else
    t0=$(now)
    find_pg_bin || die "PostgreSQL server binaries (initdb, pg_ctl) not found; set DATABASE_URL or install postgresql"
    if [[ $EUID -eq 0 ]]; then
        # initdb/pg_ctl refuse to run as root: the cluster belongs to the postgres system user.
        id postgres >/dev/null 2>&1 \
            || useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin postgres
        mkdir "$TMP/pg"
        chown postgres: "$TMP/pg"
    else
        mkdir "$TMP/pg"
    fi
    PG_PORT=$(free_port)
    as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
        >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
    PG_DATA=$TMP/pg/data
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP/pg'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg/server.log" -w -t 30 start >/dev/null \
        || { cat "$TMP/pg/server.log" >&2; die "PostgreSQL did not start"; }
    .venv/bin/python - "$PG_PORT" <<'EOF'
import sys

import psycopg2

conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="postgres", dbname="postgres")
conn.autocommit = True
conn.cursor().execute("CREATE DATABASE uplift")
conn.close()
EOF
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/uplift"
    say "PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $NF}') on 127.0.0.1:$PG_PORT ($(since "$t0"))"
fi

# --- Redis -------------------------------------------------------------------------------------
if [[ -n ${CELERY_BROKER_URL:-} ]]; then
    say "using CELERY_BROKER_URL from the environment"
else
    t0=$(now)
    command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
    REDIS_PORT=$(free_port)
    mkdir "$TMP/redis"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --maxmemory-policy noeviction --daemonize no --dir "$TMP/redis" \
        --logfile "$TMP/redis/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 100); do
        if { exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT"; } 2>/dev/null; then
            printf 'PING\r\n' >&3
            reply=""
            read -r -t 2 reply <&3 || true
            exec 3<&-
            [[ $reply == +PONG* ]] && break
        fi
        kill -0 "$REDIS_PID" 2>/dev/null || { cat "$TMP/redis/redis.log" >&2; die "redis-server exited"; }
        sleep 0.05
    done
    [[ ${reply:-} == +PONG* ]] || die "redis-server did not answer PING on port $REDIS_PORT"
    export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
    say "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT ($(since "$t0"))"
fi

# --- pytest ------------------------------------------------------------------------------------
export UPLIFT_TEST_SERVICES=1
say "running: pytest $*"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
say "pytest exited with $rc"
exit "$rc"
