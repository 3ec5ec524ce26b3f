# Pattern Pursuit — one entry point.
#
#   make            build libpp.a and every program into build/
#   make check      install missing packages, lint the bats files, test the
#                   test runner, build, run unit + bats suites, then all of
#                   it again under ASan+UBSan, then the numeric suites under
#                   a second OpenBLAS kernel; ends "N passed, N failed, N skipped"
#   make asan       the ASan+UBSan build and its suites only
#   make tsan       the ThreadSanitizer build and its suites (PP_TESTS=...
#                   to choose; not part of make check)
#   make check-pg   the registry suites again on a throwaway PostgreSQL
#                   server (make check runs them too, plain build only)
#   make demo       install missing packages, build, run the pipeline on bundled data
#   make bench      benchmarks against the Python stack (tests/bench/)
#   make fuzz       build every tests/fuzz/fuzz_*.c with clang's libFuzzer
#                   (+ASan+UBSan) and run each FUZZ_TIME seconds (60);
#                   make check replays their corpora (test_fuzz_NAME)
#   make install    PREFIX=/usr/local DESTDIR= : programs, man pages, completions
#   make container-check  build the Dockerfile with podman, test the image
#   make deb        build/deb/pattern-pursuit_VERSION_ARCH.deb, with debhelper
#
# Programs are found, not listed: cmd/pp-NAME.c (or cmd/pp-NAME/*.c) is a
# program, lib/*.c is libpp, tests/unit/test_*.c is a cmocka suite,
# tests/*.bats a bats suite.  See cmd/README.

VERSION   = 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
B        ?= build

CSTD      = -std=c11 -D_DEFAULT_SOURCE -DPP_VERSION='"$(VERSION)"'
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
OPT      ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(SAN) -Ilib -I/usr/include/postgresql $(CFLAGS)
# libpq, libxgboost and libcurl are not linked: lib/lazylib.c opens them
# at their first call (see lazylib.h).
LDLIBS_ALL = -Wl,--as-needed -lcsv -lsqlite3 -lmicrohttpd -ljansson \
	     -llapacke -lblas -lz -lm $(LDLIBS)

LIB_SRC   = $(sort $(wildcard lib/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(B)/%.o)
PROGS     = $(sort $(patsubst cmd/%.c,%,$(wildcard cmd/pp*.c)) \
		   $(patsubst cmd/%/,%,$(dir $(wildcard cmd/pp-*/main.c))))
BINS      = $(PROGS:%=$(B)/bin/%)
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNITS     = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_SRC = $(sort $(wildcard tests/helpers/*.c))
HELPERS   = $(HELPER_SRC:tests/helpers/%.c=$(B)/tests/helpers/%.so)
MAN       = $(wildcard man/*.[1-9])
FUZZ_SRC  = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_TIME ?= 60
FUZZ_REPLAYS = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(B)/tests/test_fuzz_%)

.PHONY: all check check-pg asan demo bench install uninstall clean deps units \
	container-check deb programs fuzz fuzz-bins
.SUFFIXES:
.SECONDARY:

all: $(B)/libpp.a $(BINS) $(UNITS) $(HELPERS) $(FUZZ_REPLAYS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libpp.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# A program is cmd/NAME.c, or every .c file in cmd/NAME/.
.SECONDEXPANSION:
$(B)/bin/%: $$(addprefix $(B)/,$$(subst .c,.o,$$(wildcard cmd/$$*.c cmd/$$*/*.c))) $(B)/libpp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libpp.a $(LDLIBS_ALL)

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libpp.a
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libpp.a -lcmocka $(LDLIBS_ALL)

# A fuzz harness replayed over its corpus by tests/fuzz/replay.c, with the
# compiler of the build (no libFuzzer): a cmocka suite of make check.
$(B)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/libpp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -DFUZZ_NAME='"$*"' -o $@ tests/fuzz/replay.c $< \
		$(B)/libpp.a -lcmocka $(LDLIBS_ALL)

# Test helpers preloaded into programs (fault and crash injection): never
# sanitized (the programs' sanitizer runtime does the checking), never
# installed.
$(B)/tests/helpers/%.so: tests/helpers/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(OPT) -fPIC -shared -o $@ $< -ldl

-include $(shell find $(B) -name '*.d' 2>/dev/null)

deps:
	@scripts/install-deps

# check: the bats lint and the runner's own tests (with bats directly, not
# through the runner they judge), then the whole suite twice (plain, then
# ASan+UBSan), the registry suites once more on PostgreSQL (build:pg,
# plain build only) and the numeric suites once more under a second OpenBLAS
# kernel (build:blas, see scripts/run-tests), one closing line.
# The two trees build on every processor unless make was given -j itself
# (CI runs a plain `make check`; a serial build of both took 110 s of it).
NPROC := $(shell nproc 2>/dev/null || echo 1)
PARALLEL = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

# The sanitizer runtimes are linked into each program, not loaded as
# libasan.so and libubsan.so: LeakSanitizer scans every loaded library's
# data at exit, libubsan.so's 6 MB of it page by page, and page faults are
# dear on the VMs CI runs on (1,580 of them, about 40 ms, in every
# process of the ASan pass).
ASAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-static-libasan -static-libubsan

check: deps
	@scripts/lint-bats tests/*.bats tests/self/*.bats
	@bats tests/self
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@$(MAKE) --no-print-directory $(PARALLEL) B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='$(ASAN)' all
	@scripts/run-tests build build:pg build-asan build:blas

asan:
	@$(MAKE) --no-print-directory B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='$(ASAN)' all
	@scripts/run-tests build-asan

# tsan: a race fails the suite (scripts/run-tests sets TSAN_OPTIONS for a
# build directory named *tsan*).  Slow: PP_TESTS="tests/t2060*.bats" etc.
.PHONY: tsan
tsan:
	@$(MAKE) --no-print-directory B=build-tsan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=thread' all
	@scripts/run-tests build-tsan

check-pg: all
	@scripts/run-tests build:pg

units: $(UNITS)
	@for t in $(UNITS); do $$t || exit 1; done

# fuzz: the harnesses link libpp as the programs do (the same LIB_SRC, in
# build-fuzz/), so a new lib file can never be missing from their build.
# Each runs FUZZ_TIME seconds on a scratch corpus seeded from
# tests/fuzz/corpus/NAME (fuzz_NAME.c; or the part of NAME before its
# first '_'); a finding stops the run, its log on stderr.
fuzz:
	@scripts/install-deps fuzz
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang \
		OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all' \
		fuzz-bins
	@for f in $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/fuzz/%); do \
		n=$${f##*/fuzz_}; mkdir -p build-fuzz/corpus/$$n; \
		seed=tests/fuzz/corpus/$$n; \
		[ -d $$seed ] || seed=tests/fuzz/corpus/$${n%%_*}; \
		[ -d $$seed ] || seed=; \
		$$f -max_total_time=$(FUZZ_TIME) -max_len=4096 -print_final_stats=1 \
		    -artifact_prefix=build-fuzz/ \
		    build-fuzz/corpus/$$n $$seed \
		    >build-fuzz/fuzz_$$n.log 2>&1 || \
		    { tail -40 build-fuzz/fuzz_$$n.log; echo "fuzz: $$n: FAILED"; exit 1; }; \
		echo "fuzz: $$n: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    build-fuzz/fuzz_$$n.log) runs in $(FUZZ_TIME) s, no finding"; \
	done

fuzz-bins: $(FUZZ_BINS)

# A harness warns but does not stop the build (libpp itself is -Werror).
$(B)/fuzz/%: tests/fuzz/%.c $(B)/libpp.a
	@mkdir -p $(@D)
	$(CC) $(filter-out -Werror,$(CFLAGS_ALL)) -fsanitize=fuzzer -o $@ $< \
		$(B)/libpp.a $(LDLIBS_ALL)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(B)/bin

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory all
	@tests/bench/run $(B)/bin

# programs: libpp.a and the programs, no tests (what a package builds).
programs: $(BINS)

container-check:
	@scripts/container-check

deb:
	@scripts/install-deps deb
	@scripts/deb-build $(B)/deb

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for m in $(MAN); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done
	for f in completions/bash/*; do [ -f "$$f" ] && install -m 644 $$f \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/; done; true
	for f in completions/zsh/_*; do [ -f "$$f" ] && install -m 644 $$f \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/; done; true
	for f in completions/fish/*.fish; do [ -f "$$f" ] && install -m 644 $$f \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/; done; true

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(PREFIX)/bin/%)
	for m in $(MAN); do s=$${m##*.}; b=$${m##*/}; \
		rm -f $(DESTDIR)$(PREFIX)/share/man/man$$s/$$b; done
	for f in completions/bash/*; do \
		rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$${f##*/}; done
	for f in completions/zsh/_*; do \
		rm -f $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/$${f##*/}; done
	for f in completions/fish/*.fish; do \
		rm -f $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$${f##*/}; done

clean:
	rm -rf build build-asan build-fuzz build-tsan
