#!/usr/bin/env bats
# t0200: make install and make uninstall, as a packager uses them.
#
# Plan:
#   make install DESTDIR=D PREFIX=/usr puts every built program in
#     D/usr/bin, every man page in D/usr/share/man/manN, and the bash, zsh
#     and fish completions where those shells look
#   the installed pp finds the installed pp-NAME beside it
#   make uninstall with the same variables removes all of it again

load helpers/common

setup() {
	common_setup
	D=$BATS_TEST_TMPDIR/root
}

@test "make install puts programs, man pages and completions in place" {
	run -0 make --no-print-directory -s install B="$PP_BUILD" DESTDIR="$D" PREFIX=/usr
	for p in "$PP_BUILD"/bin/pp*; do
		[ -x "$D/usr/bin/${p##*/}" ] || fail "${p##*/} not installed"
	done
	for m in man/*.[1-9]; do
		s=${m##*.}
		[ -f "$D/usr/share/man/man$s/${m##*/}" ] || fail "$m not installed"
	done
	[ -f "$D/usr/share/bash-completion/completions/pp" ]
	[ -f "$D/usr/share/zsh/vendor-completions/_pp" ]
	[ -f "$D/usr/share/fish/vendor_completions.d/pp.fish" ]
	run -0 "$D/usr/bin/pp" --version
	assert_output --regexp '^pp [0-9]'
}

@test "the installed pp runs the installed commands" {
	make --no-print-directory -s install B="$PP_BUILD" DESTDIR="$D" PREFIX=/usr
	printf 'a,b\n1,2\n' > "$BATS_TEST_TMPDIR/f.csv"
	run -0 --separate-stderr env PATH=/usr/bin:/bin "$D/usr/bin/pp" cat "$BATS_TEST_TMPDIR/f.csv"
	assert_output "$(printf 'a,b\n1,2')"
}

@test "make uninstall removes what make install put there" {
	make --no-print-directory -s install B="$PP_BUILD" DESTDIR="$D" PREFIX=/usr
	run -0 make --no-print-directory -s uninstall B="$PP_BUILD" DESTDIR="$D" PREFIX=/usr
	run -0 find "$D" -type f
	assert_output ""
}
