#!/usr/bin/env bats
# t0000: what every program shares (DESIGN.md, command-line conventions).
#
# Plan, for each program built into $PP_BUILD/bin (pp and every pp-NAME):
#   --help            usage on stdout starting "usage: NAME", exit 0, no stderr
#   -h                the same
#   --version         "NAME VERSION" on stdout, exit 0
#   --bogus           one line "NAME: unknown option --bogus" on stderr, exit 2
#   /dev/full         --help, --version and --list-options into a full
#                     disk: exit 1 and one line saying so
#   man page          man/NAME.1 exists, groff -mdoc -ww warns of nothing,
#                     and names every option --list-options reports
#   completions       bash, zsh and fish files exist and name every option
# Programs are found, not listed, so a new program is covered at once.

load helpers/common

setup() {
	common_setup
	progs=()
	for p in "$PP_BUILD"/bin/pp-* "$PP_BUILD"/bin/pp; do
		if [ -x "$p" ]; then
			progs+=("${p##*/}")
		fi
	done
	[ "${#progs[@]}" -gt 0 ]
}

@test "--help and -h print usage on stdout and exit 0" {
	for p in "${progs[@]}"; do
		for h in --help -h; do
			run -0 --separate-stderr "$p" "$h"
			assert_line --index 0 --regexp "^usage: ${p}( |$)"
			[ -z "$stderr" ] || fail "$p $h wrote to stderr: $stderr"
		done
	done
}

@test "--version prints NAME VERSION" {
	for p in "${progs[@]}"; do
		run -0 --separate-stderr "$p" --version
		assert_output --regexp "^${p} [0-9]+\.[0-9]+\.[0-9]+$"
	done
}

@test "--help, --version and --list-options to /dev/full: exit 1, one line" {
	# They exited 1 without a word, or said "unknown error".  run
	# captures stdout itself: the redirection happens in a shell.
	full() { "$@" >/dev/full; }
	for p in "${progs[@]}"; do
		for o in --help --version --list-options; do
			run -1 --separate-stderr full "$p" "$o"
			[ "$stderr" = "$p: <stdout>: write error: No space left on device" ] ||
			    fail "$p $o: $stderr"
		done
	done
	run -1 --separate-stderr full pp-features --list
	[ "$stderr" = "pp-features: <stdout>: write error: No space left on device" ]
	run -1 --separate-stderr full pp commands
	[ "$stderr" = "pp: <stdout>: write error: No space left on device" ]
}

@test "an unknown option is one line on stderr and exit 2" {
	for p in "${progs[@]}"; do
		run -2 --separate-stderr "$p" --bogus
		[ "$stderr" = "$p: unknown option --bogus" ] ||
			fail "$p: stderr was: $stderr"
		[ -z "$output" ] || fail "$p wrote to stdout: $output"
	done
}

@test "every program has a man page that groff accepts without warnings" {
	for p in "${progs[@]}"; do
		[ -f "man/$p.1" ] || fail "man/$p.1 is missing"
		run -0 --separate-stderr groff -mdoc -Tutf8 -ww -z "man/$p.1"
		[ -z "$stderr" ] || fail "man/$p.1: $stderr"
	done
	for m in man/*.[1-9]; do
		run -0 --separate-stderr groff -mdoc -Tutf8 -ww -z "$m"
		[ -z "$stderr" ] || fail "$m: $stderr"
	done
}

@test "every man page documents every option the program takes" {
	for p in "${progs[@]}"; do
		[ "$p" = pp ] && continue
		page=$(groff -mdoc -Tutf8 -P-c -P-b -P-u "man/$p.1" 2>/dev/null)
		run -0 --separate-stderr "$p" --list-options
		for o in $output; do
			case $o in --*) ;; *) continue ;; esac
			grep -q -- "$o" <<<"$page" || fail "man/$p.1 lacks $o"
		done
	done
}

@test "every program has bash, zsh and fish completions naming every option" {
	for p in "${progs[@]}"; do
		for f in "completions/bash/$p" "completions/zsh/_$p" \
		    "completions/fish/$p.fish"; do
			[ -f "$f" ] || fail "$f is missing"
		done
		run -0 --separate-stderr "$p" --list-options
		for o in $output; do
			case $o in --*) ;; *) continue ;; esac
			for f in "completions/bash/$p" "completions/zsh/_$p"; do
				grep -q -- "$o" "$f" || fail "$f lacks $o"
			done
			grep -q -- "-l ${o#--}" "completions/fish/$p.fish" ||
				fail "completions/fish/$p.fish lacks $o"
		done
	done
}

@test "bash completion files are valid bash" {
	for f in completions/bash/*; do
		run -0 bash -n "$f"
	done
}
