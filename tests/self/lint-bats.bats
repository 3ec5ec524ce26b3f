#!/usr/bin/env bats
# scripts/lint-bats: assertions bats does not enforce are rejected.
#
# Plan:
#   `! cmd` and an `&&` list of assertions not on a test's last line are
#     reported as FILE:LINE, exit 1; in helper functions too
#   allowed: the last line, if/while conditions, `... || fail`,
#     `cond && break`, && inside quotes, [[ ]], $( ) and here-documents
#   every tests/*.bats file passes

load ../helpers/common

setup() {
	common_setup
}

@test "! and && lists before the last line are rejected, naming the line" {
	# %test for @test: bats would take the line for one of its own.
	sed 's/^%test/@test/' >"$T/bad.bats" <<'END'
helper() {
	[ -f a ] && [ -f b ]
	true
}

%test "bad" {
	! grep -q x y
	[ -z "$output" ] && [ -z "$stderr" ]
	for f in a b; do
		[ -f "$f" ] && [ -s "$f" ]
	done
	run -0 true \
	    && [ 1 = 1 ]
	true
}
END
	run -1 --separate-stderr scripts/lint-bats "$T/bad.bats"
	assert_output "$T/bad.bats:2: an && list not on the last line checks only its last command (one assertion a line)
$T/bad.bats:7: \"! cmd\" not on the last line fails nothing (use run ! or refute)
$T/bad.bats:8: an && list not on the last line checks only its last command (one assertion a line)
$T/bad.bats:10: an && list not on the last line checks only its last command (one assertion a line)
$T/bad.bats:12: an && list not on the last line checks only its last command (one assertion a line)"
	assert_equal "$stderr" ""
}

@test "the shapes errexit does check pass" {
	sed 's/^%test/@test/' >"$T/good.bats" <<'END'
%test "good" {
	if [ -f a ] && [ -f b ]; then
		true
	fi
	while [ -f a ] && [ -f b ]; do break; done
	[ -f a ] && [ -f b ] || fail "no a or b"
	for _ in 1 2; do
		[ -s out ] && break
	done
	[[ -f a && -f b ]]
	x=$(true && echo y)
	echo "a && b" '! c'
	cat <<'EOT'
! not a command
a && b
EOT
	run ! grep -q x y
	[ -f a ] && [ -f b ]
}

%test "last" {
	! grep -q x y
}
END
	run -0 --separate-stderr scripts/lint-bats "$T/good.bats"
	assert_output ""
	assert_equal "$stderr" ""
}

@test "every bats file of the suite is clean" {
	run -0 --separate-stderr scripts/lint-bats tests/*.bats tests/self/*.bats
	assert_output ""
}
