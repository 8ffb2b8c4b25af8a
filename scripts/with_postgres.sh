#!/usr/bin/env bash
# Usage: scripts/with_postgres.sh CMD [ARGS...]
#
# Runs CMD with a private, throwaway PostgreSQL server and
#   WFS_TEST_POSTGRES_URL=postgresql+psycopg2://postgres@127.0.0.1:PORT/wfs_test
# exported (trust auth, no password). The server and its data directory are
# removed again when this script exits, however it exits. The script exits with
# CMD's exit status.
#
# If PostgreSQL cannot be started (binaries missing, initdb/start failure) we do
# NOT fail: we print a loud warning and run CMD without the variable, so the
# PostgreSQL half of the test suite skips itself instead of the whole run dying.
#
# Knobs (environment):
#   WFS_PG_BINDIR         force the directory holding initdb/pg_ctl/postgres
#                         (no fallback lookup; point it at a bogus path to
#                         exercise the "cannot start" path)
#   WFS_PG_START_TIMEOUT  seconds to wait for the server to come up (default 60)
#   WFS_PG_KEEP_LOG=1     print the server log to stderr on exit (debugging)
#
# Deliberately no `set -e`: nearly every step has an explicit fallback, and the
# exit status must be CMD's, not that of some cleanup command.
set -uo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

readonly PG_DBNAME=wfs_test
# initdb's bootstrap superuser. A fixed name (rather than whichever OS user runs
# the server) keeps the URL identical for root and non-root runs.
readonly PG_SUPERUSER=postgres
readonly TMP_PREFIX=wfs-pg
START_TIMEOUT=${WFS_PG_START_TIMEOUT:-60}

log() { echo "with_postgres: $*" >&2; }

# Loud, because a silently skipped half of the test suite is easy to miss in CI.
warn_skip() {
    {
        echo
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo "!!! PostgreSQL could not be started: $1"
        echo "!!! The PostgreSQL half of the test suite will be SKIPPED !!!"
        echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        echo
    } >&2
}

has_server_binaries() {
    [[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]
}

# pg_config is tried first because it names the build the user actually chose;
# but on Debian it comes from libpq-dev and may point at a bindir without the
# server (postgresql-client only), hence the existence check and the fallback.
find_bindir() {
    if [[ -n "${WFS_PG_BINDIR:-}" ]]; then
        has_server_binaries "$WFS_PG_BINDIR" && echo "$WFS_PG_BINDIR"
        return
    fi
    local d
    if d=$(pg_config --bindir 2>/dev/null) && has_server_binaries "$d"; then
        echo "$d"
        return
    fi
    # Highest major version wins (sort -V so that 9.6 < 10 < 15).
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if has_server_binaries "$d"; then
            echo "$d"
            return
        fi
    done
}

# ---------------------------------------------------------------------------
# Who runs the server. postgres refuses to run as root, so as root we drop to
# an unprivileged account; otherwise we simply run as ourselves.
# ---------------------------------------------------------------------------
PG_OS_USER=""
pick_os_user() {
    [[ $EUID -ne 0 ]] && return 0
    if id -u postgres >/dev/null 2>&1; then
        PG_OS_USER=postgres
        return 0
    fi
    PG_OS_USER=wfs-pg
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        # A concurrent run may create the user between our check and useradd;
        # so a useradd failure only counts if the user still doesn't exist.
        useradd --system --no-create-home --shell /usr/sbin/nologin \
            --home-dir /nonexistent "$PG_OS_USER" >/dev/null 2>&1 \
            || id -u "$PG_OS_USER" >/dev/null 2>&1 \
            || { echo "could not create system user $PG_OS_USER"; return 1; }
    fi
}

# Run a command as the server's OS user. Runs from inside our temp dir because
# the unprivileged user usually can't access root's cwd, and postgres complains
# (or fails) when it cannot chdir back to it.
as_pg() {
    (
        # The daemonised server must not inherit our lock fd, or an orphaned
        # server would keep its dir looking "alive" to sweep_stale forever.
        exec 8>&-
        cd "$TMP_DIR" || exit 1
        if [[ -z "$PG_OS_USER" ]]; then
            "$@"
        elif command -v runuser >/dev/null 2>&1; then
            runuser -u "$PG_OS_USER" -- "$@"
        else
            su -s /bin/sh "$PG_OS_USER" -c "$(printf '%q ' "$@")"
        fi
    )
}

# Ask the kernel for a free port. Another process could grab it before the
# server binds, which is why setup_server retries with a new port.
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ---------------------------------------------------------------------------
# Leftover state: a run killed with SIGKILL (or a machine reset) cannot clean up
# after itself. Each live run holds an flock on <tmpdir>/.lock for its whole
# lifetime, so a temp dir whose lock is free and not brand new (a run that has
# just created it may not have locked it yet) belongs to a dead run: stop its
# server, if any, and delete it.
# ---------------------------------------------------------------------------
sweep_stale() {
    command -v flock >/dev/null 2>&1 || return 0
    local base=${TMPDIR:-/tmp} d
    for d in "$base"/"$TMP_PREFIX".*; do
        [[ -d "$d" && -f "$d/.lock" ]] || continue
        # Only dirs we can own: root may sweep anything, users only their own.
        [[ $EUID -eq 0 || -O "$d" ]] || continue
        [[ -n $(find "$d/.lock" -mmin +1 2>/dev/null) ]] || continue
        (
            flock -n 9 || exit 0
            if [[ -f "$d/data/postmaster.pid" ]]; then
                local pid
                pid=$(head -n1 "$d/data/postmaster.pid" 2>/dev/null)
                # SIGQUIT = immediate shutdown; the data is garbage anyway.
                [[ "$pid" =~ ^[0-9]+$ ]] && kill -QUIT "$pid" 2>/dev/null && sleep 1
            fi
            rm -rf -- "$d"
            log "removed stale temp dir $d"
        ) 9<"$d/.lock"
    done
}

# ---------------------------------------------------------------------------
# Cleanup. Installed before anything is created so that every exit path (CMD
# failing, Ctrl-C, SIGTERM from a CI timeout, our own setup failing) removes the
# server and the temp dir.
# ---------------------------------------------------------------------------
TMP_DIR=""
REASON_FILE=""
SERVER_STARTED=0
CHILD_PID=""

# Stops the server (if any) and removes the temp dir. Safe to call twice.
teardown() {
    [[ -n "$TMP_DIR" && -d "$TMP_DIR" ]] || return 0
    if [[ "${WFS_PG_KEEP_LOG:-}" == 1 && -f "$TMP_DIR/server.log" ]]; then
        log "server log:"; cat "$TMP_DIR/server.log" >&2
    fi
    if [[ $SERVER_STARTED == 1 || -f "$TMP_DIR/data/postmaster.pid" ]]; then
        # Immediate mode: no checkpoint needed for throwaway data.
        as_pg "$BINDIR/pg_ctl" -D "$TMP_DIR/data" -m immediate -w -t 30 stop \
            >/dev/null 2>&1
        # Belt and braces: if pg_ctl failed, kill the postmaster directly
        # rather than leak a server once its data dir is gone.
        if [[ -f "$TMP_DIR/data/postmaster.pid" ]]; then
            local pid
            pid=$(head -n1 "$TMP_DIR/data/postmaster.pid" 2>/dev/null)
            [[ "$pid" =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
        fi
    fi
    rm -rf -- "$TMP_DIR"
    TMP_DIR=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    [[ -n "$REASON_FILE" && "$REASON_FILE" != /dev/null ]] && rm -f "$REASON_FILE"
    teardown
    exit "$rc"
}

# On a signal: make sure CMD (running in the background, see the end) gets it,
# let it finish, then exit with its status (or 128+N if the signal came
# during setup); the EXIT trap then does the cleanup.
# A terminal Ctrl-C already reached CMD directly (same process group), and a
# second SIGINT would interrupt e.g. pytest's own KeyboardInterrupt teardown,
# so for INT we first give CMD a few seconds to exit on its own and only
# forward the signal if it doesn't (i.e. somebody signalled just us).
on_signal() {
    local sig=$1 num=$2 i
    if [[ -n "$CHILD_PID" ]]; then
        if [[ $sig == INT ]]; then
            for ((i = 0; i < 30; i++)); do
                kill -0 "$CHILD_PID" 2>/dev/null || break
                sleep 0.1
            done
        fi
        kill -s "$sig" "$CHILD_PID" 2>/dev/null
        # CMD's own status (128+N if the signal killed it).
        wait "$CHILD_PID" 2>/dev/null
        exit $?
    fi
    exit $((128 + num))
}

trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# ---------------------------------------------------------------------------
# Setup. Each step echoes a reason and returns non-zero on failure.
# ---------------------------------------------------------------------------
BINDIR=""
PG_PORT=""

setup_server() {
    BINDIR=$(find_bindir)
    if [[ -z "$BINDIR" ]]; then
        if [[ -n "${WFS_PG_BINDIR:-}" ]]; then
            echo "no initdb/pg_ctl/postgres in WFS_PG_BINDIR=$WFS_PG_BINDIR"
        else
            echo "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found via pg_config or /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        fi
        return 1
    fi
    command -v python3 >/dev/null 2>&1 || { echo "python3 (used to pick a free port) not found"; return 1; }

    pick_os_user || return 1

    sweep_stale

    # mktemp gives each concurrent run its own dir, so data dirs, sockets and
    # logs never collide.
    TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$TMP_PREFIX.XXXXXXXX") \
        || { echo "mktemp -d failed"; return 1; }
    # Keep this open (fd 8) for our whole lifetime; see sweep_stale.
    if command -v flock >/dev/null 2>&1; then
        exec 8>"$TMP_DIR/.lock" && flock -n 8
    fi
    mkdir -p "$TMP_DIR/data"
    if [[ -n "$PG_OS_USER" ]]; then
        # The whole dir: the server writes its socket, lock file and log here.
        chown -R "$PG_OS_USER" "$TMP_DIR" || { echo "chown to $PG_OS_USER failed"; return 1; }
    fi
    chmod 700 "$TMP_DIR" "$TMP_DIR/data"

    # --no-locale/UTF8: independent of whatever locales the machine has
    # generated. --no-sync: durability is pointless for throwaway data.
    if ! as_pg "$BINDIR/initdb" -D "$TMP_DIR/data" -U "$PG_SUPERUSER" \
            --auth=trust -E UTF8 --no-locale --no-sync \
            >"$TMP_DIR/initdb.log" 2>&1; then
        echo "initdb failed:"$'\n'"$(tail -n 20 "$TMP_DIR/initdb.log")"
        return 1
    fi

    # Settings go into the config file rather than onto the command line to
    # avoid pg_ctl -o quoting pitfalls. Durability off = much faster tests.
    # Local only: TCP on loopback, unix socket in our private dir (never in
    # /var/run/postgresql, which may not exist or belong to a real cluster).
    cat >>"$TMP_DIR/data/postgresql.conf" <<EOF

# --- added by with_postgres.sh (throwaway test server) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$TMP_DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    # Retry with a fresh port: between free_port and the server binding,
    # another process (e.g. a concurrent run of this script) can take it.
    local attempt
    for attempt in 1 2 3 4 5; do
        PG_PORT=$(free_port) || { echo "could not pick a free port"; return 1; }
        : >"$TMP_DIR/server.log"
        [[ -n "$PG_OS_USER" ]] && chown "$PG_OS_USER" "$TMP_DIR/server.log"
        SERVER_STARTED=1
        if as_pg "$BINDIR/pg_ctl" -D "$TMP_DIR/data" -l "$TMP_DIR/server.log" \
                -o "-p $PG_PORT" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
            break
        fi
        # Make sure a half-started server doesn't linger before retrying.
        as_pg "$BINDIR/pg_ctl" -D "$TMP_DIR/data" -m immediate -w stop >/dev/null 2>&1
        SERVER_STARTED=0
        if ! grep -qi 'could not bind\|address already in use' "$TMP_DIR/server.log"; then
            echo "server did not start within ${START_TIMEOUT}s:"$'\n'"$(tail -n 20 "$TMP_DIR/server.log")"
            return 1
        fi
        log "port $PG_PORT was taken, retrying with another one"
    done
    [[ $SERVER_STARTED == 1 ]] || { echo "no usable port after 5 attempts"; return 1; }

    # pg_ctl -w already waited, but over the socket; make sure TCP on the exact
    # host/port in the URL answers too before handing it to CMD.
    local deadline=$((SECONDS + START_TIMEOUT))
    until "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres; do
        if ((SECONDS >= deadline)); then
            echo "server not accepting TCP connections on 127.0.0.1:$PG_PORT after ${START_TIMEOUT}s"
            return 1
        fi
        sleep 0.2
    done

    # Via TCP with trust auth this needs no OS-user switching.
    local out
    if ! out=$("$BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPERUSER" "$PG_DBNAME" 2>&1); then
        echo "createdb $PG_DBNAME failed: $out"
        return 1
    fi
}

# setup_server must run in this shell (it sets globals and fd 8), so its
# failure reason (stdout) goes to a file rather than through $(...).
REASON_FILE=$(mktemp "${TMPDIR:-/tmp}/$TMP_PREFIX-reason.XXXXXXXX") || REASON_FILE=/dev/null
if setup_server >"$REASON_FILE"; then
    rm -f "$REASON_FILE"
    export WFS_TEST_POSTGRES_URL="postgresql+psycopg2://$PG_SUPERUSER@127.0.0.1:$PG_PORT/$PG_DBNAME"
    # For tests that restart the server under load (tests/test_reliability_faults.py): pg_ctl, the data
    # directory and the OS user the server runs as (empty: ourselves).
    export WFS_TEST_POSTGRES_BINDIR="$BINDIR" WFS_TEST_POSTGRES_DATADIR="$TMP_DIR/data" \
           WFS_TEST_POSTGRES_OS_USER="$PG_OS_USER"
    log "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') running at $WFS_TEST_POSTGRES_URL (data: $TMP_DIR)"
else
    reason=$(cat "$REASON_FILE" 2>/dev/null)
    [[ "$REASON_FILE" != /dev/null ]] && rm -f "$REASON_FILE"
    warn_skip "${reason:-unknown reason}"
    # Tear down whatever got half-built, then hand the process over to CMD
    # (exec: its exit status becomes ours, and nothing is left to clean up).
    trap - EXIT INT TERM HUP
    teardown
    exec 8>&-
    unset WFS_TEST_POSTGRES_URL
    exec "$@"
fi

# CMD runs in the background so that our signal traps fire immediately (bash
# defers traps while a foreground child runs) and can forward the signal.
# Without job control bash starts background jobs with stdin from /dev/null and
# SIGINT/SIGQUIT ignored; the explicit <&0 and `trap -` undo both, so CMD
# behaves as if run directly. It stays in our process group, so Ctrl-C on a
# terminal reaches it directly.
( trap - INT QUIT; exec "$@" ) <&0 &
CHILD_PID=$!
wait "$CHILD_PID"
rc=$?
CHILD_PID=""
exit "$rc"
