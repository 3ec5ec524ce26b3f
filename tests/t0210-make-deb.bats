#!/usr/bin/env bats
# t0210: make deb, as a Debian user installs the result.
#
# Plan (the package is built once, in setup_file, into a temporary B):
#   make deb prints the path of pattern-pursuit_VERSION_ARCH.deb, VERSION
#     the Makefile's, and lintian has nothing to say about it
#   the package puts every built program in /usr/bin, every man page
#     (compressed) in /usr/share/man/manN, and the bash, zsh and fish
#     completions where those shells look
#   Depends names the package of every shared library the programs link
#   unpacked with dpkg -x into a temporary root, pp --version and every
#     line of the README's sh blocks run from there, with nothing of the
#     build tree on PATH
# Skipped when debhelper, dpkg-dev or lintian is missing (scripts/install-deps
# deb installs them), and in the ASan pass: the package is built from the
# sources with dpkg-buildflags, not from the build under test.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

setup_file() {
	cd "$BATS_TEST_DIRNAME/.."
	D=$BATS_FILE_TMPDIR
	case $PP_BUILD in
	*asan*)
		echo "built from the sources, not from $PP_BUILD: tested in the plain pass" >"$D/skip"
		return 0 ;;
	esac
	for t in dh dpkg-buildpackage lintian; do
		if ! command -v "$t" >/dev/null; then
			echo "$t not installed (scripts/install-deps deb)" >"$D/skip"
			return 0
		fi
	done
	make --no-print-directory -s deb B="$D/b" >"$D/stdout" 2>"$D/stderr" </dev/null
	echo $? >"$D/status"
}

setup() {
	cd "$BATS_TEST_DIRNAME/.."
	D=$BATS_FILE_TMPDIR
	[ ! -f "$D/skip" ] || skip "$(cat "$D/skip")"
	VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
	DEB=$D/b/deb/pattern-pursuit_${VERSION}_$(dpkg --print-architecture).deb
	R=$BATS_TEST_TMPDIR/root
}

@test "make deb builds pattern-pursuit_VERSION_ARCH.deb, and lintian is silent" {
	[ "$(cat "$D/status")" -eq 0 ] || fail "make deb failed: $(cat "$D/stderr")"
	assert_equal "$(cat "$D/stdout")" "$DEB"
	assert_equal "$(cat "$D/stderr")" ""
	[ -f "$DEB" ]
}

@test "programs, man pages and completions are in Debian's places" {
	run -0 dpkg -x "$DEB" "$R"
	for p in "$PP_BUILD"/bin/pp*; do
		[ -x "$R/usr/bin/${p##*/}" ] || fail "${p##*/} not in /usr/bin"
	done
	for m in man/*.[1-9]; do
		s=${m##*.}
		[ -f "$R/usr/share/man/man$s/${m##*/}.gz" ] || fail "$m not in /usr/share/man/man$s"
	done
	for f in completions/bash/*; do
		[ -f "$R/usr/share/bash-completion/completions/${f##*/}" ] || fail "$f missing"
	done
	for f in completions/zsh/_*; do
		[ -f "$R/usr/share/zsh/vendor-completions/${f##*/}" ] || fail "$f missing"
	done
	for f in completions/fish/*.fish; do
		[ -f "$R/usr/share/fish/vendor_completions.d/${f##*/}" ] || fail "$f missing"
	done
	[ -f "$R/usr/share/doc/pattern-pursuit/copyright" ]
}

@test "Depends names the package of every shared library the programs link" {
	run -0 --separate-stderr dpkg-deb -f "$DEB" Depends
	deps=$output
	run -0 dpkg -x "$DEB" "$R"
	# soname -> package, through the library the build links against
	for so in $(readelf -d "$R"/usr/bin/pp* | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | sort -u); do
		case $so in
		libc.so.*|libm.so.*) pkg=libc6 ;;
		libblas.so.*) pkg=libblas3 ;;	# or any libblas.so.3 (OpenBLAS)
		liblapack.so.*) pkg=liblapack3 ;;
		*) pkg=$(dpkg -S "*/$so" | sed -n '1s/:.*//p') ;;
		esac
		[ -n "$pkg" ] || fail "no package ships $so"
		case ", $deps" in
		*", $pkg "*|*", $pkg,"*|*", $pkg") ;;
		*) fail "Depends lacks $pkg (for $so): $deps" ;;
		esac
	done
}

@test "unpacked with dpkg -x, pp --version and the README pipeline run" {
	run -0 dpkg -x "$DEB" "$R"
	export PATH="$R/usr/bin:/usr/bin:/bin"
	run -0 --separate-stderr pp --version
	assert_output "pp $VERSION"
	assert_equal "$stderr" ""
	awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on' README.md >"$BATS_TEST_TMPDIR/cmds"
	[ -s "$BATS_TEST_TMPDIR/cmds" ]
	ln -s "$PWD/testdata" "$BATS_TEST_TMPDIR/testdata"
	cd "$BATS_TEST_TMPDIR"
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		run bash -o pipefail -c "$line"
		[ "$status" -eq 0 ] || fail "README line failed ($status): $line
$output"
	done <cmds
	[ -s model.ppm ]
}

@test "the README's package commands are make deb and installing what it built" {
	run -0 awk '/^### / { sec = $0 } sec == "### The Debian package" &&
	    /^```shell$/ { on = 1; next } /^```/ { on = 0 } on' README.md
	assert_output "make deb
apt-get install ./build/deb/${DEB##*/}"
}
