#!/usr/bin/env bats
# t9000: what the README promises runs.
#
# Plan:
#   every line of every ```sh block in README.md runs, in order, in one
#     scratch directory with the programs under test first on PATH, and
#     exits 0 (a line that fails names itself)
#   the set-up commands (```console block) are `make demo` and `make check`;
#     `make demo` is scripts/demo after the build, which runs here against
#     the programs under test.  `make check` is what runs this file.
#   the program table names every program that is built

load helpers/common

setup() {
	common_setup
	TOP=$PWD
}

@test "every command in the README's sh blocks runs" {
	awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on' README.md > "$BATS_TEST_TMPDIR/cmds"
	[ -s "$BATS_TEST_TMPDIR/cmds" ]
	cd "$BATS_TEST_TMPDIR"
	ln -s "$TOP/testdata" testdata
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		run bash -o pipefail -c "$line"
		[ "$status" -eq 0 ] || fail "README line failed ($status): $line
$output"
	done < cmds
}

@test "the set-up block is make demo and make check, and the demo runs" {
	run -0 awk '/^```console$/ {on = 1; next} /^```/ {on = 0} on {print $1, $2}' README.md
	assert_output "make demo
make check"
	run -0 --separate-stderr scripts/demo "$PP_BUILD/bin"
	assert_line --partial "the CSV came back byte for byte"
	assert_line --partial "the store reads back byte for byte"
}

@test "the README's program table names every program that is built" {
	for p in "$PP_BUILD"/bin/pp*; do
		p=${p##*/}
		grep -q "^| \`$p\` |" README.md || fail "README does not list $p"
	done
}
