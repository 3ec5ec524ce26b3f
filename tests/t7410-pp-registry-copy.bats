#!/usr/bin/env bats
# t7410: pp-registry copy FROM TO moves a whole registry between backends.
#
# Plan:
#   - SQLite to SQLite: every table's rows arrive, in order, deleted runs,
#     nested runs, metric histories, artifacts, models, aliases and the
#     audit log included, and the copy is a registry that works (new
#     runs, new versions, new audit entries continue the old numbering)
#   - SQLite to PostgreSQL and back (build:pg pass only): the dumps of
#     the first and the last file are the same, table for table
#   - errors: a target that is not empty, a missing source (nothing is
#     created), a missing operand, an extra operand, a --registry (which
#     copy's --help does not list)

load helpers/common

setup() {
	common_setup
	D=$PWD/testdata
	cd "$T"
	unset PP_REGISTRY
	export USER=tester
}

# A registry with one of everything in a.db.
fill() {
	cp "$D/train-small.csv" small.csv
	pp-train -q -m ridge --alpha 10 -t y --exclude cls --registry a.db \
	    --register m -o m.ppm small.csv
	pp-train -q -m ols -t y --exclude cls --registry a.db --register m \
	    -o m2.ppm small.csv
	id=$(pp-registry run start --registry a.db -e x --name p --param a=1 \
	    --metric l=3@0 --metric l=-0@1 --metric 'l=@2' --tag t=v)
	kid=$(pp-registry run start --registry a.db -e x --parent "$id")
	pp-registry alias --registry a.db m champion 1
	pp-registry alias --registry a.db m champion 2
	pp-registry promote --registry a.db m 1 Production
	pp-registry delete --registry a.db "$kid"
}

# dump DB: every table of a SQLite registry, ordered (metrics in logging
# order, without their rowid, which a copy renumbers).
dump() {
	sqlite3 "$1" "SELECT * FROM experiments ORDER BY 1;
		SELECT * FROM runs ORDER BY run_id;
		SELECT * FROM params ORDER BY 1, 2; SELECT * FROM tags ORDER BY 1, 2;
		SELECT run_id, key, quote(value), step, timestamp FROM metrics ORDER BY rowid;
		SELECT run_id, key, quote(value), step, timestamp FROM latest_metrics ORDER BY 1, 2;
		SELECT run_id, name, size, sha256, hex(data), creation_time FROM artifacts ORDER BY 1, 2;
		SELECT * FROM registered_models ORDER BY 1;
		SELECT * FROM model_versions ORDER BY 1, 2;
		SELECT * FROM aliases ORDER BY 1, 2; SELECT * FROM audit ORDER BY id"
}

@test "copy SQLite to SQLite: every row, and the copy works on" {
	fill
	run -0 --separate-stderr pp-registry copy a.db b.db --format csv
	assert_output "table,rows
experiments,2
runs,4
params,12
tags,21
metrics,3
latest_metrics,1
artifacts,2
registered_models,1
model_versions,2
aliases,1
audit,3"
	dump a.db >want
	dump b.db >got
	diff -u want got
	run -0 pp-registry run start --registry b.db -e new
	run -0 sqlite3 b.db "SELECT max(experiment_id) FROM experiments"
	assert_output 3
	run -0 pp-registry alias --registry b.db m champion 1
	run -0 --separate-stderr pp-registry audit --registry b.db --format csv
	assert_line --index 4 --regexp ',tester,m,1,alias champion,2,1$'
}

@test "copy SQLite to PostgreSQL and back: the same dump" {
	[ "${PP_TEST_REGISTRY_BACKEND:-}" = pg ] ||
	    skip "PostgreSQL only: scripts/run-tests build:pg"
	fill
	url=$(pg_registry_url)
	run -0 --separate-stderr pp-registry copy a.db "$url"
	run -0 --separate-stderr pp-registry copy "$url" c.db
	dump a.db >want
	dump c.db >got
	diff -u want got
	for r in a.db "$url"; do
		pp-registry --registry "$r" export >"export.${r%%:*}"
		pp-registry --registry "$r" runs --deleted --format csv >"del.${r%%:*}"
	done
	cmp export.a.db export.postgresql
	cmp del.a.db del.postgresql
	# New ids there continue after the copied ones.
	run -0 pp-registry run start --registry "$url" -e new
	run -0 --separate-stderr pp-registry experiments --registry "$url" --format csv
	assert_line --index 3 --regexp '^3,new,1,'
}

@test "copy errors: a target not empty, a missing source, operands" {
	fill
	pp-registry copy a.db b.db >/dev/null
	run -1 --separate-stderr pp-registry copy a.db b.db
	assert_equal "$stderr" "pp-registry: b.db: not empty: copy needs a new registry"
	run -1 --separate-stderr pp-registry copy nope.db z.db
	assert_equal "$stderr" "pp-registry: nope.db: No such file or directory"
	[ ! -e z.db ]
	run -2 --separate-stderr pp-registry copy a.db
	assert_equal "$stderr" "pp-registry: copy: missing operand (usage: pp-registry copy FROM TO [--format FMT])"
	run -2 --separate-stderr pp-registry copy a.db x.db y.db
	assert_equal "$stderr" 'pp-registry: copy: unexpected operand "y.db"'
	# The operands name both registries: --registry is neither offered
	# nor taken, after the command or before it.
	run -0 --separate-stderr pp-registry copy --help
	[[ $output != *--registry* ]] || fail "copy --help lists --registry"
	run -2 --separate-stderr pp-registry copy a.db x.db --registry b.db
	assert_equal "$stderr" 'pp-registry: unknown option --registry'
	run -2 --separate-stderr pp-registry --registry b.db copy a.db x.db
	assert_equal "$stderr" 'pp-registry: copy: no --registry: the operands name the registries'
	[ ! -e x.db ]
}
