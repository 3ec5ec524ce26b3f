# Pattern Pursuit — one entry point.
#
#   make            build libpp.a and every program into build/
#   make check      install missing packages, lint the bats files, test the
#                   test runner, build, run unit + bats suites, then all of
#                   it again under ASan+UBSan, then the numeric suites under
#                   a second OpenBLAS kernel; ends "N passed, N failed, N skipped"
#   make asan       the ASan+UBSan build and its suites only
#   make demo       install missing packages, build, run the pipeline on bundled data
#   make bench      benchmarks against the Python stack (tests/bench/)
#   make install    PREFIX=/usr/local DESTDIR= : programs, man pages, completions
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
CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(SAN) -Ilib $(CFLAGS)
LDLIBS_ALL = -Wl,--as-needed -lcsv -lsqlite3 -lcurl -lmicrohttpd -ljansson \
	     -llapacke -lopenblas -lz -lm $(LDLIBS)

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

.PHONY: all check asan demo bench install uninstall clean deps units
.SUFFIXES:
.SECONDARY:

all: $(B)/libpp.a $(BINS) $(UNITS) $(HELPERS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libpp.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# A program is cmd/NAME.c, or every .c file in cmd/NAME/.
.SECONDEXPANSION:
$(B)/bin/%: $$(addprefix $(B)/,$$(subst .c,.o,$$(wildcard cmd/$$*.c cmd/$$*/*.c))) $(B)/libpp.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $(filter %.o,$^) $(B)/libpp.a $(LDLIBS_ALL)

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libpp.a
	$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libpp.a -lcmocka $(LDLIBS_ALL)

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
# ASan+UBSan) and the numeric suites once more under a second OpenBLAS
# kernel (build:blas, see scripts/run-tests), one closing line.
check: deps
	@scripts/lint-bats tests/*.bats tests/self/*.bats
	@bats tests/self
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' all
	@scripts/run-tests build build-asan build:blas

asan:
	@$(MAKE) --no-print-directory B=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' all
	@scripts/run-tests build-asan

units: $(UNITS)
	@for t in $(UNITS); do $$t || exit 1; done

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo $(B)/bin

bench:
	@scripts/install-deps bench
	@$(MAKE) --no-print-directory all
	@tests/bench/run $(B)/bin

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
	rm -rf build build-asan
