# tests/helpers/pgserver.bash: a throwaway PostgreSQL server for the
# tests.  initdb into a temporary directory, then pg_ctl start with
# listen_addresses='' so the server listens only on a Unix socket in that
# directory; pg_stop stops it and deletes the directory.  The server
# refuses to run as root, and CI runs as root: then initdb and pg_ctl run
# as the `postgres` user Debian's package creates (runuser), and the
# directory is that user's.  One server serves a whole pass: each test
# gets a schema of its own (pg_registry_url), which costs milliseconds
# where a database costs a tenth of a second.
#
#	pg_available	0 if PostgreSQL's binaries are installed
#	pg_start	start a server; sets PP_PG_DIR (the socket directory)
#	pg_stop		stop it and delete PP_PG_DIR
#	pg_registry_url	create a fresh schema, print a URL whose
#			search_path is that schema

PP_PG_BIN=${PP_PG_BIN:-/usr/lib/postgresql/15/bin}

pg_available() {
	[ -x "$PP_PG_BIN/initdb" ] && [ -x "$PP_PG_BIN/pg_ctl" ] &&
	    [ -x "$PP_PG_BIN/psql" ] &&
	    { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }
}

# pg_as CMD...: CMD as the server's owner (postgres when we are root).
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	PP_PG_DIR=$(mktemp -d /tmp/pp-pg.XXXXXX) || return 1
	chmod 755 "$PP_PG_DIR"
	[ "$(id -u)" != 0 ] || chown postgres: "$PP_PG_DIR" || return 1
	# fsync off: the server's data is thrown away after the tests.
	pg_as "$PP_PG_BIN/initdb" -D "$PP_PG_DIR/data" -A trust -U postgres \
	    -E UTF8 --locale=C >"$PP_PG_DIR/initdb.log" 2>&1 || {
		cat "$PP_PG_DIR/initdb.log" >&2
		return 1
	}
	pg_as "$PP_PG_BIN/pg_ctl" -D "$PP_PG_DIR/data" -l "$PP_PG_DIR/log" \
	    -w -o "-c listen_addresses='' -c unix_socket_directories='$PP_PG_DIR' -c fsync=off -c max_connections=${PP_PG_MAX_CONN:-60}" \
	    start >/dev/null || {
		cat "$PP_PG_DIR/log" >&2
		return 1
	}
	export PP_PG_DIR
}

pg_stop() {
	[ -n "${PP_PG_DIR:-}" ] || return 0
	pg_as "$PP_PG_BIN/pg_ctl" -D "$PP_PG_DIR/data" -m immediate stop \
	    >/dev/null 2>&1
	rm -rf "$PP_PG_DIR"
	unset PP_PG_DIR
}

# pg_sql SQL: run SQL in the server's postgres database.
pg_sql() {
	"$PP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PP_PG_DIR" \
	    -U postgres -d postgres -c "$1"
}

# pg_registry_url [NAME]: a new, empty schema and the URL that uses it.
pg_registry_url() {
	local s=${1:-r_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}

	pg_sql "CREATE SCHEMA $s" >/dev/null || return 1
	printf 'postgresql:///postgres?host=%s&user=postgres&options=-csearch_path%%3D%s\n' \
	    "$PP_PG_DIR" "$s"
}

# The registry suites run twice: on SQLite, and in run-tests' :pg pass
# (PP_TEST_REGISTRY_BACKEND=pg) on the pass's server ($PP_PG_DIR).
# use_registry PATH exports PP_REGISTRY: PATH, or on the :pg pass a URL
# naming a fresh schema of that server.  skip_on_pg WHY skips a test
# about SQLite files (paths, file modes, the sqlite3 shell) on the :pg
# pass.
use_registry() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		PP_REGISTRY=$(pg_registry_url) || return 1
	else
		PP_REGISTRY=$1
	fi
	export PP_REGISTRY
}

skip_on_pg() {
	[ "${PP_TEST_REGISTRY_BACKEND:-}" != pg ] || skip "$1: SQLite only"
}

# registry_sql SQL: SQL on $PP_REGISTRY through the backend's own shell
# (sqlite3, or psql on the :pg pass): one row a line, columns split by |.
registry_sql() {
	if [ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ]; then
		psql -XAtq -v ON_ERROR_STOP=1 "$PP_REGISTRY" -c "$1"
	else
		sqlite3 "$PP_REGISTRY" "$1"
	fi
}
