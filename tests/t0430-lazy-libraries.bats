#!/usr/bin/env bats
# t0430: libpq, libxgboost and libcurl are opened at their first call
# (lib/lazylib.c), not linked: loading them and their dependencies cost
# every program 25-50 ms at start.
#
# Plan:
#   no program in the build names libpq, libxgboost or libcurl as a needed
#   library; with a library that cannot be opened (an empty file of its soname
#   first on LD_LIBRARY_PATH), the programs that do not use it work, and
#   those that do fail with exit status 1 and the loader's reason, naming
#   the file

load helpers/common

setup() {
	common_setup
	mkdir "$T/nolib"
	: >"$T/nolib/libpq.so.5"
	: >"$T/nolib/libxgboost.so.0"
	: >"$T/nolib/libcurl.so.4"
	awk 'BEGIN {
		print "symbol,date,f1,f2,y"
		for (i = 0; i < 300; i++)
			printf "S%d,%04d-%02d-%02d,%g,%g,%g\n", i % 3,
			    2000 + int(i / 336), 1 + int(i / 28) % 12, 1 + i % 28,
			    i % 17, i % 5, (i % 17) * 0.5 + i % 5
	}' >"$T/f.csv"
}

@test "no program is linked with libpq, libxgboost or libcurl" {
	command -v readelf >/dev/null || skip "readelf not installed"
	dir=$(dirname "$(command -v pp)")
	n=0
	for p in "$dir"/pp "$dir"/pp-*; do
		readelf -d "$p" >"$T/dyn.txt"
		run -1 grep -E 'NEEDED.*(libpq|libxgboost|libcurl)' "$T/dyn.txt"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
}

@test "without libxgboost: ridge trains and predicts, gbdt fails and says why" {
	LD_LIBRARY_PATH=$T/nolib run -0 pp-train -m ridge -t y --no-registry \
	    -q -o "$T/r.ppm" "$T/f.csv"
	LD_LIBRARY_PATH=$T/nolib run -0 pp-predict -m "$T/r.ppm" --only \
	    -o "$T/p.csv" "$T/f.csv"
	[ "$(wc -l <"$T/p.csv")" -eq 301 ]
	LD_LIBRARY_PATH=$T/nolib run -1 --separate-stderr pp-train -m gbdt \
	    -t y --no-registry -q -o "$T/g.ppm" "$T/f.csv"
	[[ $stderr == "pp-train: xgboost: "*"$T/nolib/libxgboost.so.0: "* ]]
	[ ! -e "$T/g.ppm" ]
	# a gbdt model made with the library cannot be read without it
	run -0 pp-train -m gbdt -t y --no-registry -q -o "$T/g.ppm" "$T/f.csv"
	LD_LIBRARY_PATH=$T/nolib run -1 --separate-stderr pp-predict \
	    -m "$T/g.ppm" --only "$T/f.csv"
	[[ $stderr == *"xgboost: "*"$T/nolib/libxgboost.so.0: "* ]]
}

@test "without libpq: a SQLite registry works, a PostgreSQL one fails and says why" {
	LD_LIBRARY_PATH=$T/nolib run -0 pp-train -m ridge -t y \
	    --registry "$T/reg.db" -q -o "$T/r.ppm" "$T/f.csv"
	LD_LIBRARY_PATH=$T/nolib run -0 pp-registry --registry "$T/reg.db" \
	    runs --format csv
	[ "${#lines[@]}" -eq 2 ]
	LD_LIBRARY_PATH=$T/nolib run -1 --separate-stderr pp-registry \
	    --registry "host=$T/nosocket dbname=x" runs
	[[ $stderr == "pp-registry: "*"$T/nolib/libpq.so.5: "* ]]
}

@test "without libcurl: pp-fetch synth and file work, http fails and says why" {
	LD_LIBRARY_PATH=$T/nolib run -0 pp-fetch synth --symbols A \
	    --start 2024-01-02 --end 2024-01-05 -o "$T/s.csv"
	[ "$(wc -l <"$T/s.csv")" -gt 1 ]
	LD_LIBRARY_PATH=$T/nolib run -0 pp-fetch file "$T/s.csv"
	LD_LIBRARY_PATH=$T/nolib run -1 --separate-stderr pp-fetch http \
	    --provider yahoo --base-url http://127.0.0.1:9 --symbols A \
	    --start 2024-01-02 --end 2024-01-05 --retries 0
	[[ $stderr == "pp-fetch: "*"cannot initialise libcurl: "*"$T/nolib/libcurl.so.4: "* ]]
}
