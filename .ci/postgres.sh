# shellcheck shell=bash
# Start a throwaway PostgreSQL server for the test suite and export TICKETSLA_TEST_POSTGRES_URL.
#
#     source .ci/postgres.sh
#
# Meant to be sourced by .ci/run (CI=true, no standard input, root on a fresh Debian machine) and
# by developers. It is idempotent: a second run finds the server up and only re-exports the URL.
#   1. installs PostgreSQL from the Debian packages with apt-get when no server binaries exist;
#   2. creates a cluster of its own in $TICKETSLA_PG_DIR (default /tmp/ticketsla-pg), owned by the
#      `postgres` system user when run as root, with a password-protected superuser;
#   3. starts it listening on 127.0.0.1:$TICKETSLA_PG_PORT only (default 54329, so it never
#      collides with a system cluster on 5432), and creates the test database;
#   4. exports TICKETSLA_TEST_POSTGRES_URL. Each test makes a schema of its own inside it.
# Shell options of the caller are left as they were; failures return non-zero with a message.

_ticketsla_pg_main() {
    local dir="${TICKETSLA_PG_DIR:-/tmp/ticketsla-pg}"
    local port="${TICKETSLA_PG_PORT:-54329}"
    local user="ticketsla" password="ticketsla" database="ticketsla_test"
    local bin run_as=() sudo=()

    say() { printf 'postgres.sh: %s\n' "$*" >&2; }

    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    fi

    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        say "installing PostgreSQL from the Debian packages"
        export DEBIAN_FRONTEND=noninteractive
        "${sudo[@]}" apt-get update -qq </dev/null || { say "apt-get update failed"; return 1; }
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            postgresql postgresql-client </dev/null >/dev/null \
            || { say "apt-get install postgresql failed"; return 1; }
        bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
        if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
            say "no initdb found under /usr/lib/postgresql after installing"
            return 1
        fi
    fi

    # initdb and the server refuse to run as root: use the postgres system user the package made.
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
        run_as=(runuser -u postgres --)
    fi

    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    chmod 700 "$dir"

    if [ ! -s "$dir/data/PG_VERSION" ]; then
        say "creating a cluster in $dir/data"
        local pwfile="$dir/pwfile"
        printf '%s\n' "$password" >"$pwfile"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi
        "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$pwfile" \
            --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { say "initdb failed:"; cat "$dir/initdb.log" >&2; rm -f "$pwfile"; return 1; }
        rm -f "$pwfile"
    fi

    if ! "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        say "starting PostgreSQL on 127.0.0.1:$port"
        "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir \
                -c max_connections=200 -c shared_buffers=256MB" >/dev/null \
            || { say "the server did not start:"; tail -n 30 "$dir/server.log" >&2; return 1; }
    fi

    local psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U "$user" -v ON_ERROR_STOP=1)
    local exists
    exists="$(PGPASSWORD="$password" "${psql[@]}" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'" </dev/null)" \
        || { say "cannot connect to the server on 127.0.0.1:$port"; return 1; }
    if [ "$exists" != "1" ]; then
        PGPASSWORD="$password" "${psql[@]}" -d postgres -c "CREATE DATABASE $database" </dev/null \
            || { say "CREATE DATABASE $database failed"; return 1; }
    fi

    export TICKETSLA_TEST_POSTGRES_URL="postgresql+psycopg://$user:$password@127.0.0.1:$port/$database"
    say "TICKETSLA_TEST_POSTGRES_URL=$TICKETSLA_TEST_POSTGRES_URL"
}

_ticketsla_pg_main
_ticketsla_pg_status=$?
unset -f _ticketsla_pg_main say
if [ "$_ticketsla_pg_status" -ne 0 ]; then
    unset _ticketsla_pg_status
    return 1 2>/dev/null || exit 1
fi
unset _ticketsla_pg_status
