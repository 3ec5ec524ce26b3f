#!/usr/bin/env bats
# t6900: deploy/monitoring, the Prometheus and Grafana side of pp-serve.
#
# Plan:
#   promtool check config accepts prometheus.yml and the alerts.yml it loads
#   promtool test rules: every alert fires on series that should make it
#     fire and stays quiet otherwise (alerts_test.yml)
#   every pp_serve_* metric the alerts and the Grafana dashboard query is
#     one a running pp-serve really exports on GET /metrics (a histogram's
#     _bucket, _sum and _count through its name), and every dashboard panel
#     has a query

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

setup() {
	cd "$BATS_TEST_DIRNAME/.."
	M=deploy/monitoring
	command -v promtool >/dev/null || skip "promtool not installed (Debian's prometheus package)"
}

teardown() {
	serve_teardown
}

@test "promtool check config accepts the scrape config and its rules" {
	run -0 promtool check config "$M/prometheus.yml"
	assert_line "  SUCCESS: 1 rule files found"
	assert_line "  SUCCESS: 4 rules found"
}

@test "promtool test rules: each alert fires when it should, and only then" {
	run -0 promtool test rules "$M/alerts_test.yml"
	assert_line "  SUCCESS"
}

@test "every metric the alerts and the dashboard query is one pp-serve exports" {
	T=$BATS_TEST_TMPDIR
	pp-fetch synth --symbols AAA --start 2020-01-01 --end 2020-12-31 --seed 3 -o "$T/p.csv"
	pp-features -f 'r1=logret(close,1)' -t 'y=lead(logret(close,1),1)' --dropna -o "$T/f.csv" "$T/p.csv"
	pp-train -q -m ridge --target y --registry "$T/pp.db" -o "$T/m.ppm" "$T/f.csv"
	serve_start -m "$T/m.ppm" --registry "$T/pp.db"
	run -0 curl -fsS --max-time 10 "$URL/metrics"
	printf '%s\n' "$output" | sed -n 's/^# TYPE \([a-z_]*\) \([a-z]*\)$/\1 \2/p' >"$T/types"
	[ -s "$T/types" ]
	run -0 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    assert p["targets"], "panel %r has no query" % p["title"]
    for t in p["targets"]:
        print(t["expr"])
' "$M/grafana-pp-serve.json"
	{ printf '%s\n' "$output"; cat "$M/alerts.yml"; } | grep -o 'pp_serve_[a-z_]*' | sort -u >"$T/used"
	[ "$(wc -l <"$T/used")" -ge 8 ]
	while read -r name; do
		grep -q "^$name " "$T/types" && continue
		base=${name%_bucket}
		base=${base%_sum}
		base=${base%_count}
		grep -qx "$base histogram" "$T/types" && continue
		fail "$name is queried but pp-serve does not export it"
	done <"$T/used"
}

@test "the README's monitoring commands are the two this file runs" {
	run -0 awk '/^### / { sec = $0 } sec == "### Monitoring" &&
	    /^```shell$/ { on = 1; next } /^```/ { on = 0 } on' README.md
	assert_output "promtool check config deploy/monitoring/prometheus.yml
promtool test rules deploy/monitoring/alerts_test.yml"
}
