#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and CI.
#
#   pgcluster.sh start DIR PORT   make DIR (removing whatever an earlier run left there), initdb,
#                                 start a server on 127.0.0.1:PORT, wait until it accepts connections
#   pgcluster.sh stop DIR         stop that server (pg_ctl stop -m fast) and remove DIR
#
# Layout: DIR/data (cluster), DIR/sock (Unix socket), DIR/postgres.log (server log).
# Connect with postgresql+psycopg://postgres@127.0.0.1:PORT/postgres (trust authentication).
# PostgreSQL refuses to run as root: as root the binaries run as the `postgres` user from `/`;
# otherwise they run as the current user. PG_BIN overrides /usr/lib/postgresql/15/bin.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "pgcluster: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start DIR PORT | stop DIR" >&2
    exit 2
}

# Run a PostgreSQL binary as the right user, from a directory that user can read.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

absolute() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

# Stop a server still running from DIR (by its own pid file, never by process name).
stop_server() {
    local data=$1/data
    if [[ -f $data/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null 2>&1 ||
            as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m immediate -w -t 30 >/dev/null 2>&1 ||
            true
    fi
}

pick_locale() {
    if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
        echo C.UTF-8
    else
        echo C
    fi
}

cmd_start() {
    local dir port
    dir=$(absolute "$1")
    port=$2
    [[ $port =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
    [[ $dir =~ [[:space:]] ]] && die "directory must not contain spaces: '$dir'"
    [[ -x $PG_BIN/initdb ]] || die "no PostgreSQL binaries in $PG_BIN"
    # A Unix socket path is limited to 107 bytes.
    (( ${#dir} + ${#port} + 17 <= 107 )) || die "directory path too long for a socket: $dir"

    # Clean a directory left by an earlier run (maybe half-made, maybe with a server running).
    if [[ -e $dir ]]; then
        stop_server "$dir"
        rm -rf -- "$dir"
    fi
    mkdir -p -- "$dir/sock"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: -- "$dir"
        as_pg test -w "$dir" || die "user postgres cannot write to $dir (check its parent directories)"
    fi

    local loc
    loc=$(pick_locale)
    if ! as_pg "$PG_BIN/initdb" -D "$dir/data" --auth=trust -U postgres --encoding=UTF8 \
            --locale="$loc" --no-sync --no-instructions >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    fi

    local opts="-p $port -k $dir/sock -c listen_addresses=127.0.0.1"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if ! as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
            -o "$opts" >/dev/null 2>&1; then
        cat "$dir/postgres.log" >&2 || true
        die "server did not start on port $port"
    fi

    # pg_ctl -w waits for the server; make sure it answers on TCP, where the tests connect.
    local i
    for ((i = 0; i < 100; i++)); do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
            return 0
        fi
        sleep 0.1
    done
    cat "$dir/postgres.log" >&2 || true
    die "server on port $port not ready after 10 s"
}

cmd_stop() {
    local dir
    dir=$(absolute "$1")
    stop_server "$dir"
    rm -rf -- "$dir"
}

case ${1:-} in
    start) [[ $# -eq 3 ]] || usage; cmd_start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
    *) usage ;;
esac
