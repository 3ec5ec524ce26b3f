#!/usr/bin/env bats
# t0410: kill -9 at random points in the writers of the registry and the
# market store, 200 times (50 under ASan, with up to 600 ms instead of 60
# before each kill), and lose nothing.
#
# Plan:
#   - a writer loop runs, in a process group of its own, over and over:
#     pp-registry run start + run end, pp-fetch synth --store of a new
#     symbol, pp-train --register; after each command that exits 0 it
#     appends what that command reported committed to a log;
#   - the test kills the whole group with SIGKILL after a random 0 to 60
#     ms (600 once half the kills committed nothing), restarts it, and
#     after every kill checks: both files pass PRAGMA integrity_check
#     and open (pp-registry runs, pp-fetch store),
#     every run in the log is FINISHED, every symbol in the log has all
#     its bars, every version of the model comes from a FINISHED run, and
#     there are at least as many versions as trainings in the log.
# A store killed while it was being created reads as an empty store.
# The loop is a script of its own: bats traces every command of a test.

load helpers/common

setup() {
	common_setup
	cd "$T"
	export PP_REGISTRY=$T/reg.db
	export USER=tester
}

@test "200 kill -9 of registry and store writers lose nothing committed" {
	# Under ASan a process starts ten times slower: fewer kills, later.
	local kills=200 window=60
	case ${PP_BUILD:-} in *asan*) kills=50 window=600 ;; esac
	run -0 pp-registry init
	cat >writer.sh <<-'EOF'
	top=$1
	n=$RANDOM
	while :; do
		n=$((n + 1))
		id=$(pp-registry run start -e k --param a=$n 2>/dev/null) &&
		    pp-registry run end "$id" --metric m=$n 2>/dev/null &&
		    echo "run $id" >>log
		pp-fetch synth --symbols "S$n" --start 2024-01-01 --end 2024-02-29 \
		    --seed "$n" --store market.db 2>/dev/null &&
		    echo "sym S$n" >>log
		pp-train -q -m ridge -t y --features f1,f2,f3 -e k --register km \
		    -o /dev/null "$top/testdata/train-small.csv" 2>/dev/null &&
		    echo "train" >>log
	done
	EOF
	cat >loop.sh <<-'EOF'
	kills=$1 top=$2 window=$3
	: >log
	seen=0
	for ((k = 0; k < kills; k++)); do
		# A loaded machine may start processes too slowly for any
		# to commit within the window: once half the kills have gone
		# by with nothing committed, wait ten times as long.
		w=$window
		[ "$seen" -gt 0 ] || [ "$k" -lt $((kills / 2)) ] ||
		    w=$((window * 10))
		ms=$((RANDOM % w))
		setsid bash writer.sh "$top" &
		pid=$!
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
		kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"
		wait "$pid" 2>/dev/null
		# Until every process of the group has died (exit drops its
		# locks; a zombie may wait a while for whoever reaps it).
		while ps -eo pgid=,stat= | awk -v g="$pid" \
		    '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'; do
			sleep 0.01
		done
		# One sqlite3 a file (a process start costs more than the
		# queries): integrity, then what was committed before this
		# kill (earlier lines were checked after earlier kills).
		tail -n +"$((seen + 1))" log >new
		seen=$(wc -l <log)
		runs=$(sed -n "s/^run \(.*\)/'\1',/p" new | tr -d '\n')
		syms=$(sed -n "s/^sym \(.*\)/'\1',/p" new | tr -d '\n')
		t=$(grep -c '^train$' log)
		r=$(sqlite3 reg.db "PRAGMA integrity_check;
		    SELECT count(*) FROM runs WHERE status != 'FINISHED'
		      AND run_id IN (${runs}'');
		    SELECT count(*) < $t FROM model_versions WHERE name = 'km';
		    SELECT count(*) FROM model_versions v JOIN runs r
		      USING (run_id) WHERE r.status != 'FINISHED'" 2>&1 | tr '\n' ' ')
		[ "$r" = "ok 0 0 0 " ] || echo "kill $k: reg.db: $r"
		if [ -f market.db ]; then
			r=$(sqlite3 market.db "PRAGMA integrity_check;
			    SELECT count(*) FROM (SELECT symbol FROM ohlcv
			      WHERE symbol IN (${syms}'') GROUP BY symbol
			      HAVING count(*) != 44)" 2>/dev/null | tr '\n' ' ')
			# "ok " alone: no table yet (its creation was killed).
			case $r in
			"ok 0 "|"ok ") ;;
			*) echo "kill $k: market.db: $r" ;;
			esac
		fi
		n=$(grep -c '^run ' new)
		if [ "$n" -gt 0 ]; then
			c=$(sqlite3 reg.db "SELECT count(*) FROM runs WHERE run_id IN (${runs}'')")
			[ "$c" = "$n" ] || echo "kill $k: $n runs committed, $c found"
		fi
		n=$(grep -c '^sym ' new)
		if [ "$n" -gt 0 ]; then
			c=$(sqlite3 market.db "SELECT count(DISTINCT symbol) FROM ohlcv WHERE symbol IN (${syms}'')")
			[ "$c" = "$n" ] || echo "kill $k: $n symbols committed, $c found"
		fi
		# Both still open for the programs, every 20 kills.
		if [ $((k % 20)) -eq 0 ]; then
			pp-registry runs --limit 1 >/dev/null ||
			    echo "kill $k: registry does not open"
			if [ -f market.db ]; then
				pp-fetch store market.db -o /dev/null ||
				    echo "kill $k: store does not open"
			fi
		fi
	done
	echo "$(wc -l <log) commits"
	EOF
	run -0 bash loop.sh "$kills" "$PP_TOP" "$window"
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	[[ ${lines[0]} == *" commits" ]] || fail "$output"
	[ "${lines[0]%% *}" -gt 0 ] || fail "nothing was ever committed: $output"
}
