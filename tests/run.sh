#!/usr/bin/env bash
# Run the test suite against real services: a throwaway PostgreSQL cluster and Redis server on
# free loopback ports, stopped and deleted on exit (also on failure or CTRL-C).
#   bash tests/run.sh [pytest args...]
#   bash tests/run.sh --exec [--no-broker] COMMAND [args...]   run COMMAND instead of pytest (make bench);
#                     with --no-broker start no Redis, so Celery tasks run eagerly in the process.
# Honoured: DATABASE_URL (use that database, start no PostgreSQL),
#           CELERY_BROKER_URL (use that broker, start no Redis).
# Exports UPLIFT_TEST_SERVICES=1 so tests know real services are present.
set -euo pipefail

EXEC=0 NO_BROKER=0
if [[ ${1:-} == --exec ]]; then
    EXEC=1
    shift
    if [[ ${1:-} == --no-broker ]]; then
        NO_BROKER=1
        shift
    fi
    (($#)) || { echo "run.sh: --exec needs a command" >&2; exit 2; }
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
now() { date +%s%N; }
since() { local ms=$((($(now) - $1) / 1000000)); printf '%d.%03ds' $((ms / 1000)) $((ms % 1000)); }

find_pg_bin() {
    local d
    for d in "$(dirname "$(command -v initdb || echo /nonexistent/initdb)")" /usr/lib/postgresql/*/bin; do
        if [[ -x $d/initdb && -x $d/postgres ]]; then PG_BIN=$d; return 0; fi
    done
    return 1
}

# --- Debian packages (root only; a machine that has them all never touches apt) ---------------
need_pkgs=()
[[ -n ${CELERY_BROKER_URL:-} || $NO_BROKER == 1 ]] || command -v redis-server >/dev/null || need_pkgs+=(redis-server)
[[ -n ${DATABASE_URL:-} ]] || find_pg_bin || need_pkgs+=(postgresql)
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v pdftoppm >/dev/null || need_pkgs+=(poppler-utils)
# WeasyPrint renders PDFs through Pango.
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need_pkgs+=(libpango-1.0-0 libpangoft2-1.0-0)
if ((${#need_pkgs[@]})); then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        say "apt-get installing ${need_pkgs[*]}"
        t0=$(now)
        export DEBIAN_FRONTEND=noninteractive
        apt-get -qq -o DPkg::Lock::Timeout=600 update >/dev/null
        apt-get -qq -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need_pkgs[@]}" >/dev/null
        say "apt-get done ($(since "$t0"))"
    else
        say "WARNING: missing Debian packages: ${need_pkgs[*]} (run as root to install them)"
    fi
fi

# --- Python environment ----------------------------------------------------------------------
make -s install

# --- Cleanup, armed before anything starts ------------------------------------------------------
# Services are our own children (never daemonized), each in its own session so CTRL-C reaches
# only pytest. On exit they are signalled and reaped: no stray processes, no zombies.
TMP="" PG_WRAPPER="" PG_PID="" REDIS_WRAPPER="" REDIS_PID=""
SETSID=()
if command -v setsid >/dev/null; then SETSID=(setsid -w); fi
AS_PG=() # initdb and postgres refuse to run as root: then the cluster belongs to user postgres
if [[ $EUID -eq 0 ]]; then AS_PG=(runuser -u postgres --); fi

stop_service() { # <our child pid> <service pid> <signal>
    local child=$1 pid=${2:-$1} sig=$3
    [[ -n $child ]] || return 0
    kill -"$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 200); do
        kill -0 "$child" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$child" 2>/dev/null; then kill -KILL "$pid" "$child" 2>/dev/null || true; fi
    wait "$child" 2>/dev/null || true
}

cleanup() {
    local rc=$? t0
    trap - EXIT INT TERM HUP
    t0=$(now)
    stop_service "$REDIS_WRAPPER" "$REDIS_PID" TERM
    stop_service "$PG_WRAPPER" "$PG_PID" QUIT # immediate shutdown: the cluster is thrown away
    if [[ -n $TMP ]]; then
        rm -rf "$TMP"
        say "services stopped, temp dir removed ($(since "$t0"))"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

free_port() {
    .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ -z ${DATABASE_URL:-} || (-z ${CELERY_BROKER_URL:-} && $NO_BROKER == 0) ]]; then
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/uplift-test.XXXXXX")
    chmod 755 "$TMP"
fi

# --- PostgreSQL --------------------------------------------------------------------------------
if [[ -n ${DATABASE_URL:-} ]]; then
    say "using DATABASE_URL from the environment"
else
    t0=$(now)
    find_pg_bin || die "PostgreSQL server (initdb, postgres) not found: install postgresql or set DATABASE_URL"
    mkdir "$TMP/pg"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin postgres
        chown postgres: "$TMP/pg"
    fi
    PG_PORT=$(free_port)
    PG_DATA=$TMP/pg/data
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C --no-sync \
        >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
    pg_conf=("listen_addresses = '127.0.0.1'" "port = $PG_PORT" "unix_socket_directories = '$TMP/pg'")
    # Tests trade durability for speed; benchmarks (--exec) keep it, so a save's time includes its commit.
    ((EXEC)) || pg_conf+=("fsync = off" "synchronous_commit = off" "full_page_writes = off")
    printf '%s\n' "${pg_conf[@]}" | "${AS_PG[@]}" tee -a "$PG_DATA/postgresql.conf" >/dev/null
    "${SETSID[@]}" "${AS_PG[@]}" "$PG_BIN/postgres" -D "$PG_DATA" >"$TMP/postgres.log" 2>&1 &
    PG_WRAPPER=$!
    pg_ready() { [[ $(sed -n 8p "$PG_DATA/postmaster.pid" 2>/dev/null) == ready* ]]; }
    for _ in $(seq 600); do # line 8 of postmaster.pid reads "ready" once connections are accepted
        pg_ready && break
        kill -0 "$PG_WRAPPER" 2>/dev/null || { cat "$TMP/postgres.log" >&2; die "PostgreSQL exited"; }
        sleep 0.05
    done
    pg_ready || { cat "$TMP/postgres.log" >&2; die "PostgreSQL did not become ready in 30s"; }
    PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
    .venv/bin/python -c '
import sys, psycopg2
conn = psycopg2.connect(host="127.0.0.1", port=int(sys.argv[1]), user="postgres", dbname="postgres")
conn.autocommit = True
conn.cursor().execute("CREATE DATABASE uplift")
conn.close()' "$PG_PORT"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/uplift"
    say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT as user $(stat -c %U "$PG_DATA") ($(since "$t0"))"
fi

# --- Redis -------------------------------------------------------------------------------------
if [[ -n ${CELERY_BROKER_URL:-} ]]; then
    say "using CELERY_BROKER_URL from the environment"
elif [[ $NO_BROKER == 1 ]]; then
    say "no broker: Celery tasks run eagerly"
else
    t0=$(now)
    command -v redis-server >/dev/null || die "redis-server not found: install redis-server or set CELERY_BROKER_URL"
    REDIS_PORT=$(free_port)
    mkdir "$TMP/redis"
    "${SETSID[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --maxmemory-policy noeviction --daemonize no --dir "$TMP/redis" \
        --logfile "$TMP/redis/redis.log" --pidfile "$TMP/redis/redis.pid" &
    REDIS_WRAPPER=$!
    redis_ready() {
        local reply=""
        { exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT"; } 2>/dev/null || return 1
        printf 'PING\r\n' >&3
        read -r -t 2 reply <&3 || true
        exec 3<&-
        [[ $reply == +PONG* ]]
    }
    for _ in $(seq 600); do
        redis_ready && break
        kill -0 "$REDIS_WRAPPER" 2>/dev/null || { cat "$TMP/redis/redis.log" >&2; die "redis-server exited"; }
        sleep 0.05
    done
    redis_ready || { cat "$TMP/redis/redis.log" >&2; die "redis-server did not answer PING in 30s"; }
    REDIS_PID=$(cat "$TMP/redis/redis.pid" 2>/dev/null || true)
    export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
    say "Redis $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT ($(since "$t0"))"
fi

# --- pytest (or the --exec command) -----------------------------------------------------------------
export UPLIFT_TEST_SERVICES=1
export DJANGO_DEBUG=${DJANGO_DEBUG:-true} # development settings unless told otherwise
set +e
if ((EXEC)); then
    say "running $*"
    "$@"
    rc=$?
    say "$1 exited with code $rc"
else
    # One pytest process per core (pytest-xdist), a file to a process: a module that builds its data once
    # (tests/built_once.py) builds it once. Each process has its own test database and Redis database
    # (tests/dev_defaults.py). UPLIFT_TEST_PROCESSES=0 runs in this process; a later -n in ARGS wins.
    processes=${UPLIFT_TEST_PROCESSES:-$(nproc)}
    say "pytest -n $processes --dist loadfile $*"
    .venv/bin/python -m pytest -n "$processes" --dist loadfile "$@"
    rc=$?
    say "pytest exited with code $rc"
fi
set -e
exit "$rc"
