#!/usr/bin/env bats
# t7100: pp-registry artifacts and the model registry.
#
# Plan:
#   - artifact put/list/get round-trips bytes (binary, empty) with size and
#     SHA-256; a corrupted blob or stored size is refused, never output
#   - register numbers versions, needs a single or named artifact
#   - promote moves stages, --archive-existing archives the others
#   - alias/unalias point at versions; reserved and bad aliases refused
#   - resolve and artifact get follow models:/NAME/N, @ALIAS, /STAGE,
#     /latest and runs:/ID[/ART]; malformed URIs are usage errors; a
#     runs:/ID/ART naming no artifact is an error
#   - audit logs every stage and alias change; models/versions list
#   - a run behind a model version cannot be deleted, its artifact not
#     replaced

load helpers/common

setup() {
	common_setup
	cd "$T"
	use_registry "$T/pp.db"
	export USER=tester
	run -0 --separate-stderr pp-registry run start -e e --name r
	id=$output
	head -c 5000 /dev/urandom >model.bin
	: >empty.bin
}

@test "artifact put, list and get round-trip the bytes" {
	run -0 --separate-stderr pp-registry artifact put "$id" model.bin
	run -0 --separate-stderr pp-registry artifact put "$id" empty.bin --name nothing
	run -0 --separate-stderr pp-registry artifact list "$id" --format csv
	sum=$(sha256sum model.bin | cut -d' ' -f1)
	assert_line --index 0 'name,size,stored,sha256,created'
	assert_line --index 1 --regexp "^model\.bin,5000,[0-9]+,$sum,"
	assert_line --index 2 --regexp "^nothing,0,[0-9]+,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,"
	run -0 --separate-stderr pp-registry artifact get "$id" model.bin -o out.bin
	cmp model.bin out.bin
	run -0 --separate-stderr pp-registry artifact get "$id" nothing --output out2.bin
	cmp empty.bin out2.bin
	run -0 --separate-stderr pp-registry artifact get "runs:/$id/model.bin" -o out3.bin
	cmp model.bin out3.bin
}

@test "artifact errors" {
	run -1 --separate-stderr pp-registry artifact get "$id" nope
	[ "$stderr" = "pp-registry: run $id has no artifact \"nope\"" ]
	run -1 --separate-stderr pp-registry artifact put "$id" missing.bin
	[ "$stderr" = 'pp-registry: missing.bin: No such file or directory' ]
	run -2 --separate-stderr pp-registry artifact put "$id" - <model.bin
	[ "$stderr" = 'pp-registry: artifact put: reading stdin needs --name' ]
	run -0 --separate-stderr pp-registry artifact put "$id" - --name from-stdin <model.bin
	run -2 --separate-stderr pp-registry artifact put "$id" model.bin --name
	[ "$stderr" = 'pp-registry: option --name needs an argument' ]
	run -2 --separate-stderr pp-registry artifact put "$id"
	[ "$stderr" = 'pp-registry: artifact put: missing operand (usage: pp-registry artifact put RUN_ID FILE [--name NAME])' ]
	run -2 --separate-stderr pp-registry artifact get notauri
	[ "$stderr" = 'pp-registry: artifact get: want RUN_ID NAME or a models:/ or runs:/ URI' ]
	run -2 --separate-stderr pp-registry artifact frob
	[ "$stderr" = 'pp-registry: unknown command "artifact frob" (see pp-registry --help)' ]
}

@test "a corrupted artifact is an error, not output" {
	skip_on_pg "corrupted with the sqlite3 shell"
	run -0 pp-registry artifact put "$id" model.bin
	run -0 sqlite3 pp.db "UPDATE artifacts SET data = zeroblob(100)"
	run -1 --separate-stderr pp-registry artifact get "$id" model.bin -o out.bin
	[ "$stderr" = "pp-registry: artifact \"model.bin\" of run $id: corrupt (data error)" ]
	[ ! -e out.bin ]
	run -0 pp-registry artifact put "$id" model.bin
	run -0 sqlite3 pp.db "UPDATE artifacts SET sha256 = lower(hex(zeroblob(32)))"
	run -1 --separate-stderr pp-registry artifact get "$id" model.bin
	[ "$stderr" = "pp-registry: artifact \"model.bin\" of run $id: checksum mismatch" ]
	assert_output ''
}

@test "a corrupt stored artifact size is an error, never an allocation" {
	skip_on_pg "corrupted with the sqlite3 shell"
	# A size of 137 GB made every reader abort on the allocation.
	head -c 300000 /dev/urandom >big.bin
	run -0 pp-registry artifact put "$id" big.bin
	run -0 --separate-stderr pp-registry artifact get "$id" big.bin -o out.bin
	cmp big.bin out.bin
	rm out.bin
	for size in 137000000000 299999 300001 0; do
		run -0 sqlite3 pp.db "UPDATE artifacts SET size = $size"
		run -1 --separate-stderr pp-registry artifact get "$id" big.bin -o out.bin
		[ "$stderr" = "pp-registry: artifact \"big.bin\" of run $id: corrupt (size mismatch)" ]
		[ ! -e out.bin ]
	done
	run -0 sqlite3 pp.db "UPDATE artifacts SET size = 300000, data = substr(data, 1, 1000)"
	run -1 --separate-stderr pp-registry artifact get "$id" big.bin
	[ "$stderr" = "pp-registry: artifact \"big.bin\" of run $id: corrupt (truncated data)" ]
	assert_output ''
}

# Three versions of model m from three runs.
three_versions() {
	local k
	for k in 1 2 3; do
		run -0 --separate-stderr pp-registry run start -e e --name "r$k"
		ids[k]=$output
		printf 'model %s\n' "$k" >"m$k.ppm"
		run -0 pp-registry artifact put "${ids[k]}" "m$k.ppm"
		run -0 --separate-stderr pp-registry register m "runs:/${ids[k]}" --description "v$k"
		[ "$output" = "$k" ]
	done
}

@test "register numbers versions; versions and models list them" {
	three_versions
	run -0 --separate-stderr pp-registry versions m --format csv
	cut -d, -f1-5,7,8 <<<"$output" >got
	cat >want <<-EOF
	version,stage,aliases,run_id,artifact,user,description
	1,None,,${ids[1]},m1.ppm,tester,v1
	2,None,,${ids[2]},m2.ppm,tester,v2
	3,None,,${ids[3]},m3.ppm,tester,v3
	EOF
	diff -u want got
	run -0 pp-registry alias m champion 2
	run -0 pp-registry alias m challenger 3
	run -0 --separate-stderr pp-registry models --format csv
	assert_line --index 0 'name,versions,latest_version,aliases,created'
	assert_line --index 1 --regexp '^m,3,3,challenger=3 champion=2,'
}

@test "register errors" {
	run -1 --separate-stderr pp-registry register m "runs:/$id"
	[ "$stderr" = "pp-registry: run $id has 0 artifacts: name one as runs:/$id/NAME" ]
	run -0 pp-registry artifact put "$id" model.bin
	run -0 pp-registry artifact put "$id" empty.bin
	run -1 --separate-stderr pp-registry register m "runs:/$id"
	[ "$stderr" = "pp-registry: run $id has 2 artifacts: name one as runs:/$id/NAME" ]
	run -1 --separate-stderr pp-registry register m "runs:/$id/other"
	[ "$stderr" = "pp-registry: run $id has no artifact \"other\"" ]
	run -0 --separate-stderr pp-registry register m "runs:/$id/model.bin"
	assert_output 1
	run -2 --separate-stderr pp-registry register a/b "runs:/$id/model.bin"
	[ "$stderr" = 'pp-registry: bad model name "a/b": '"'/' and '@' are not allowed" ]
	run -2 --separate-stderr pp-registry register m models:/x/1
	[ "$stderr" = 'pp-registry: register: bad source "models:/x/1": want runs:/RUN_ID[/ARTIFACT]' ]
	run -2 --separate-stderr pp-registry register m runs:/abc
	[ "$stderr" = 'pp-registry: register: runs:/abc: bad run id "abc": want 32 lowercase hex digits or a unique prefix of 6 or more' ]
	run -2 --separate-stderr pp-registry register m "runs:/$id/model.bin" --description
	[ "$stderr" = 'pp-registry: option --description needs an argument' ]
	# the registered artifact is frozen and its run cannot be deleted
	run -1 --separate-stderr pp-registry artifact put "$id" model.bin
	[ "$stderr" = "pp-registry: artifact \"model.bin\" of run $id is a registered model version: it cannot be replaced" ]
	run -1 --separate-stderr pp-registry delete "$id"
	[ "$stderr" = "pp-registry: run \"$id\" backs 1 model version" ]
}

@test "promote, alias, resolve and audit" {
	three_versions
	run -0 --separate-stderr pp-registry promote m 1 Production
	run -0 --separate-stderr pp-registry promote m 2 staging
	run -0 --separate-stderr pp-registry promote m 3 production --archive-existing
	run -0 --separate-stderr pp-registry versions m --format csv
	cut -d, -f1,2 <<<"$output" >got
	printf 'version,stage\n1,Archived\n2,Staging\n3,Production\n' >want
	diff -u want got
	run -0 pp-registry alias m champion 2
	run -0 pp-registry alias m champion 1
	run -0 pp-registry alias m champion 1
	run -0 --separate-stderr pp-registry resolve models:/m@champion --format csv
	assert_output "model,version,run_id,artifact
m,1,${ids[1]},m1.ppm"
	run -0 --separate-stderr pp-registry resolve models:/m/Production --format csv
	assert_line --index 1 "m,3,${ids[3]},m3.ppm"
	run -0 --separate-stderr pp-registry resolve models:/m/staging --format csv
	assert_line --index 1 "m,2,${ids[2]},m2.ppm"
	run -0 --separate-stderr pp-registry resolve models:/m/latest --format csv
	assert_line --index 1 "m,3,${ids[3]},m3.ppm"
	run -0 --separate-stderr pp-registry resolve models:/m/2 --format csv
	assert_line --index 1 "m,2,${ids[2]},m2.ppm"
	run -0 --separate-stderr pp-registry resolve "runs:/${ids[2]}" --format csv
	assert_line --index 1 ",,${ids[2]},m2.ppm"
	run -0 --separate-stderr pp-registry artifact get models:/m@champion
	assert_output 'model 1'
	run -0 --separate-stderr pp-registry artifact get models:/m/Production
	assert_output 'model 3'
	run -0 pp-registry unalias m champion
	run -1 --separate-stderr pp-registry resolve models:/m@champion
	[ "$stderr" = 'pp-registry: models:/m@champion: no such model version' ]
	run -0 --separate-stderr pp-registry audit m --format csv
	cut -d, -f2- <<<"$output" >got
	cat >want <<-EOF
	user,model,version,what,from,to
	tester,m,1,stage,None,Production
	tester,m,2,stage,None,Staging
	tester,m,1,stage,Production,Archived
	tester,m,3,stage,None,Production
	tester,m,2,alias champion,,2
	tester,m,1,alias champion,2,1
	tester,m,1,alias champion,1,
	EOF
	diff -u want got
}

@test "model registry errors" {
	three_versions
	run -1 --separate-stderr pp-registry promote m 9 Production
	[ "$stderr" = 'pp-registry: model "m" has no version 9' ]
	run -1 --separate-stderr pp-registry promote nosuch 1 Production
	[ "$stderr" = 'pp-registry: model "nosuch" has no version 1' ]
	run -2 --separate-stderr pp-registry promote m 1 Prod
	[ "$stderr" = 'pp-registry: bad stage "Prod": want None, Staging, Production or Archived' ]
	run -2 --separate-stderr pp-registry promote m one Production
	[ "$stderr" = 'pp-registry: bad version "one": want a whole number >= 1' ]
	run -2 --separate-stderr pp-registry alias m latest 1
	[ "$stderr" = 'pp-registry: bad alias "latest": reserved' ]
	run -2 --separate-stderr pp-registry alias m v2 1
	[ "$stderr" = 'pp-registry: bad alias "v2": reserved' ]
	run -2 --separate-stderr pp-registry alias m 'a b' 1
	[ "$stderr" = "pp-registry: bad alias \"a b\": want letters, digits, '_' or '-'" ]
	run -1 --separate-stderr pp-registry alias m gold 7
	[ "$stderr" = 'pp-registry: model "m" has no version 7' ]
	run -1 --separate-stderr pp-registry unalias m gold
	[ "$stderr" = 'pp-registry: model "m" has no alias "gold"' ]
	run -2 --separate-stderr pp-registry alias m gold
	[ "$stderr" = 'pp-registry: alias: missing operand (usage: pp-registry alias NAME ALIAS VERSION|latest [--if-better metrics.KEY [--max]])' ]
	run -1 --separate-stderr pp-registry versions nosuch
	[ "$stderr" = 'pp-registry: no model "nosuch"' ]
	run -1 --separate-stderr pp-registry resolve models:/nosuch/1
	[ "$stderr" = 'pp-registry: models:/nosuch/1: no model "nosuch"' ]
	run -1 --separate-stderr pp-registry resolve models:/m/Archived
	[ "$stderr" = 'pp-registry: models:/m/Archived: no such model version' ]
	run -2 --separate-stderr pp-registry resolve models:/m
	[ "$stderr" = 'pp-registry: bad model URI "models:/m": want models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE' ]
	run -2 --separate-stderr pp-registry resolve models:/m/gold
	[ "$stderr" = 'pp-registry: bad model URI "models:/m/gold": "gold" is not a version, a stage or latest' ]
	run -2 --separate-stderr pp-registry resolve s3://bucket/m
	[ "$stderr" = 'pp-registry: bad model URI "s3://bucket/m": want models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE or runs:/RUN_ID[/ARTIFACT]' ]
	run -2 --separate-stderr pp-registry resolve runs:/xyz
	[ "$stderr" = 'pp-registry: runs:/xyz: bad run id "xyz": want 32 lowercase hex digits or a unique prefix of 6 or more' ]
	run -2 --separate-stderr pp-registry promote m 1 Production extra
	[ "$stderr" = 'pp-registry: promote: unexpected operand "extra"' ]
}

@test "resolve runs:/ID/ARTIFACT fails when the run has no such artifact" {
	run -0 --separate-stderr pp-registry artifact put "$id" model.bin
	run -1 --separate-stderr pp-registry resolve "runs:/$id/nonexistent"
	[ "$output" = '' ]
	[ "$stderr" = "pp-registry: run $id has no artifact \"nonexistent\"" ]
	run -0 --separate-stderr pp-registry resolve "runs:/$id/model.bin" --format csv
	[ "$output" = "model,version,run_id,artifact
,,$id,model.bin" ]
	[ "$stderr" = '' ]
}
