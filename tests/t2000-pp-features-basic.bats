#!/usr/bin/env bats
# t2000: pp-features as a user meets it: what comes out, and every option.
#
# Plan:
#   output: input columns, then features, then targets, values computed by
#     hand on testdata/features-small.csv (two interleaved symbols); a
#     symbol's rows wait for lead() and the rest flush in input order
#   -f/--feature, -t/--target, -F/--spec (comments, target lines; the
#     bench spec's column names), -f and -F together
#   multi-output functions name NAME_part; .part and NAME_part inside
#     expressions; references to earlier definitions
#   if, and/or/not (infix and as functions), least, greatest, clip, nan_to,
#     isnan, and the calendar of a date and of a date-time column, by hand
#   a parameter given as a name (vol's method), even one that is also a
#     column's name, equals the estimator written out by hand
#   --only, --dropna, --list (every function, once), -o (atomic),
#     -B and --compress (read back by pp cat), -d, stdin ("-" and none),
#     --line-buffered, --skip-bad (counted on stderr)
#   each option: a normal case, a missing argument, a bad value; an extra
#     operand
#   a live feed: rows written into a pipe come out before the pipe closes
#   --progress and -q, on a terminal and off it

load helpers/common

setup() {
	common_setup
	S=testdata/features-small.csv
}

@test "features, then targets; lead delays a symbol's rows, the end flushes in input order" {
	run -0 --separate-stderr pp-features -f 's=sma(close,2)' -t 'y=lead(close,1)' -f 'd=close-lag(close)' $S
	cat > "$T/want" <<-'EOF'
	symbol,date,close,volume,s,d,y
	A,2024-01-01,1,10,,,2
	B,2024-01-01,10,20,,,11
	A,2024-01-02,2,10,1.5,1,4
	B,2024-01-02,11,20,10.5,1,12
	A,2024-01-03,4,10,3,2,
	B,2024-01-03,12,20,11.5,1,
	EOF
	echo "$output" | diff -u "$T/want" -
	[ -z "$stderr" ]
}

@test "without targets rows come out in input order, at once" {
	run -0 --separate-stderr pp-features --feature 'up=close>lag(close,1)' --feature 'neg=-close' $S
	cat > "$T/want" <<-'EOF'
	symbol,date,close,volume,up,neg
	A,2024-01-01,1,10,,-1
	B,2024-01-01,10,20,,-10
	A,2024-01-02,2,10,1,-2
	B,2024-01-02,11,20,1,-11
	A,2024-01-03,4,10,1,-4
	B,2024-01-03,12,20,1,-12
	EOF
	echo "$output" | diff -u "$T/want" -
}

@test "a spec file: comments, blank lines, target lines, NAME_part columns" {
	run -0 --separate-stderr pp-features -F testdata/features-spec.txt --only testdata/features-prices.csv
	assert_line --index 0 "symbol,date,r,r_lag1,r_lag2,r_lag3,r_lag4,r_lag5,sma20,ema20,rsi14,macd_macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,atr14,vol20,y"
	[ "${#lines[@]}" -eq 181 ]
	# Warm-up: macd_signal is the last to start, at the 34th row of a symbol.
	run -0 --separate-stderr pp-features -F testdata/features-spec.txt --only --dropna testdata/features-prices.csv
	[ "${#lines[@]}" -eq $((1 + 3 * (60 - 33 - 1))) ]
	assert_line --index 1 --regexp '^AAA,2024-02-16,'
}

@test "-f and -F together; a definition uses earlier ones and picks outputs" {
	printf 'b = bbands(close, 2, 1)\ntarget y = lead(b_upper, 1) - b.lower\n' > "$T/spec"
	run -0 --separate-stderr pp-features -F "$T/spec" -f 'w=b_upper-b_lower' --only $S
	cat > "$T/want" <<-'EOF'
	symbol,date,b_upper,b_middle,b_lower,w,y
	A,2024-01-01,,,,,
	B,2024-01-01,,,,,
	A,2024-01-02,2,1.5,1,1,3
	B,2024-01-02,11,10.5,10,1,2
	A,2024-01-03,4,3,2,2,
	B,2024-01-03,12,11.5,11,1,
	EOF
	echo "$output" | diff -u "$T/want" -
}

@test "--dropna drops warm-up rows and rows whose look-ahead is missing" {
	run -0 --separate-stderr pp-features --dropna -f 's=sma(close,2)' -t 'y=lead(close,1)' $S
	cat > "$T/want" <<-'EOF'
	symbol,date,close,volume,s,y
	A,2024-01-02,2,10,1.5,4
	B,2024-01-02,11,20,10.5,12
	EOF
	echo "$output" | diff -u "$T/want" -
}

@test "--list prints every function once, with outputs and warm-up" {
	run -0 --separate-stderr pp-features --list
	assert_line --index 0 --regexp '^FUNCTION +OUTPUTS +WARM-UP +DEFINITION$'
	for f in lag lead diff ret logret sma ema wma dema tema rsi macd bbands atr natr adx stoch willr cci obv mfi roc mom stddev var min max zscore vwap corr beta abs log exp sqrt sign \
	    rocp rocr trange clv bop midpoint midprice donchian aroon trima apo ppo \
	    cmo ad adosc cmf plus_dm minus_dm plus_di minus_di dx stochf stochrsi \
	    ultosc trix vhf keltner snr chaikin_vol williams_ad emv adxr sar kama t3 \
	    zlema evwma vwma hma alma linearreg tsf smi kst tdi vol sum median quantile \
	    mad skew kurt rank pctrank ewm_std if and or not least greatest clip nan_to \
	    isnan dow dom month doy week cs_rank cs_zscore cs_demean cs_quantile ref; do
		n=$(printf '%s\n' "${lines[@]}" | grep -c "^$f(")
		[ "$n" -eq 1 ] || fail "$f listed $n times"
	done
	assert_line --regexp '^macd\(x, fast, slow, sig\) +macd,signal,hist +slow\+sig-2 '
	assert_line --regexp '^bbands\(x, n, k=2\) +upper,middle,lower +n-1 '
	assert_line --regexp '^sma\(x, n\) +sma +n-1 '
	assert_line --regexp '^aroon\(n\) +up,down,osc +n '
	assert_line --regexp '^linearreg\(x, n\) +value,slope,intercept,angle +n-1 '
	assert_line --regexp '^adosc\(fast, slow\) +adosc +max\(fast,slow\)-1 '
	# --list reads no input.
	run -0 --separate-stderr pp-features --list < /dev/null
	[ "${#lines[@]}" -eq 111 ]
}

@test "if, and, or, not, least, greatest, clip, nan_to, isnan and the calendar" {
	run -0 --separate-stderr pp-features -f 'a=if(close>2 and not volume<20, close, -1)' \
	    -f 'b=close>2 or volume>10' -f 'c=least(close,volume/5,3)' \
	    -f 'd=greatest(close,lag(close))' -f 'e=clip(close,2,10.5)' \
	    -f 'f=nan_to(lag(close),0)' -f 'g=isnan(lag(close))' -f 'h=and(close>1,or(0,not(0)))' \
	    -f 'w=dow()' -f 'dm=dom()' -f 'mo=month()' -f 'dy=doy()' -f 'wk=week()' \
	    -t 'y=if(lead(close)>close,1,0)' $S
	[ -z "$stderr" ]
	cat > "$T/want" <<-'EOF'
	symbol,date,close,volume,a,b,c,d,e,f,g,h,w,dm,mo,dy,wk,y
	A,2024-01-01,1,10,-1,0,1,,2,0,1,0,0,1,1,1,1,1
	B,2024-01-01,10,20,10,1,3,,10,0,1,1,0,1,1,1,1,1
	A,2024-01-02,2,10,-1,0,2,2,2,1,0,1,1,2,1,2,1,1
	B,2024-01-02,11,20,11,1,3,11,10.5,10,0,1,1,2,1,2,1,1
	A,2024-01-03,4,10,-1,1,2,4,4,2,0,1,2,3,1,3,1,
	B,2024-01-03,12,20,12,1,3,12,10.5,11,0,1,2,3,1,3,1,
	EOF
	echo "$output" > "$T/got"
	diff -u "$T/want" "$T/got"
	# A date-time is taken at its UTC day: Friday 2021-01-01 is in ISO
	# week 53 of 2020, and Monday 2021-01-04 starts week 1.
	printf 'symbol,date,close\nA,2020-12-31T23:59:59Z,1\nA,2021-01-01T00:00:00Z,2\nA,2021-01-04T12:00:00Z,3\n' > "$T/dt.csv"
	run -0 --separate-stderr pp-features --only -f 'w=dow()' -f 'k=week()' -f 'y=doy()' "$T/dt.csv"
	[ -z "$stderr" ]
	assert_equal "$output" "symbol,date,w,k,y
A,2020-12-31T23:59:59Z,3,53,366
A,2021-01-01T00:00:00Z,4,53,1
A,2021-01-04T12:00:00Z,0,1,4"
}

@test "vol takes its method as a name, and matches the formula written out" {
	P=testdata/features-prices.csv
	run -0 --separate-stderr pp-features -o "$T/v.csv" \
	    -f 'p=vol(5, parkinson)' \
	    -f 'q=sqrt(252 / (4 * log(2)) * sma(log(high / low) * log(high / low), 5))' \
	    -f 'c=vol(5,close,1)' -f 'd=stddev(logret(close), 4)' $P
	[ -z "$output" ]
	[ -z "$stderr" ]
	run -0 python3 - "$T/v.csv" <<-'EOF'
	import csv, sys
	rows = list(csv.DictReader(open(sys.argv[1])))
	n = 0
	for r in rows:
	    for a, b in (("p", "q"), ("c", "d")):
	        assert (r[a] == "") == (r[b] == ""), (r, a)
	        if r[a]:
	            assert abs(float(r[a]) - float(r[b])) <= 1e-12 * abs(float(r[b])), (r, a)
	            n += 1
	assert n > 100, n
	EOF
}

@test "-o writes atomically; nothing is left on failure" {
	run -0 --separate-stderr pp-features -o "$T/out.csv" -f 'x=close*2' $S
	[ -z "$output" ]
	assert_equal "$(sed -n 2p "$T/out.csv")" "A,2024-01-01,1,10,2"
	printf 'symbol,date,close\nA,2024-01-02,1\nA,2024-01-01,2\n' > "$T/order.csv"
	run -1 --separate-stderr pp-features -o "$T/fail.csv" -f 'x=close' "$T/order.csv"
	[ ! -e "$T/fail.csv" ]
	run -0 ls -A "$T"
	refute_output --partial tmp
	run -2 --separate-stderr pp-features -f 'x=close' -o
	[ "$stderr" = "pp-features: option --output needs an argument" ]
}

@test "-B and --compress write binary frames that read back the same" {
	run -0 --separate-stderr pp-features -f 'x=close*2' -t 'y=lead(x)' $S
	echo "$output" > "$T/csv"
	for z in -B --binary --compress; do
		run -0 pp-features $z -o "$T/out.ppf" -f 'x=close*2' -t 'y=lead(x)' $S
		run -0 --separate-stderr pp cat "$T/out.ppf"
		echo "$output" | diff -u "$T/csv" -
	done
	# And binary input is read as well.
	pp cat -B -o "$T/in.ppf" $S
	run -0 --separate-stderr pp-features -f 'x=close*2' -t 'y=lead(x)' "$T/in.ppf"
	echo "$output" | diff -u "$T/csv" -
}

@test "reads stdin given - or nothing; -d sets the delimiter" {
	run -0 --separate-stderr pp-features -f 'x=close+1' $S
	echo "$output" > "$T/want"
	run -0 --separate-stderr pp-features -f 'x=close+1' - < $S
	echo "$output" | diff -u "$T/want" -
	run -0 --separate-stderr pp-features -f 'x=close+1' < $S
	echo "$output" | diff -u "$T/want" -
	tr , ';' < $S > "$T/semi.csv"
	run -0 --separate-stderr pp-features -d ';' -f 'x=close+1' "$T/semi.csv"
	tr , ';' < "$T/want" | diff -u - <(echo "$output")
	run -2 --separate-stderr pp-features -d ';;' -f 'x=close' $S
	[ "$stderr" = "pp-features: --delimiter: bad value \";;\": want one character other than '\"' or a newline" ]
	run -2 --separate-stderr pp-features -f x=close -d
	[ "$stderr" = "pp-features: option --delimiter needs an argument" ]
}

@test "--line-buffered gives the same rows, from a file and from a pipe" {
	run -0 --separate-stderr pp-features -f 'x=close+1' -t 'y=lead(x,1)' $S
	echo "$output" > "$T/want"
	run -0 --separate-stderr pp-features --line-buffered -f 'x=close+1' -t 'y=lead(x,1)' $S
	echo "$output" | diff -u "$T/want" -
	run -0 --separate-stderr bash -c 'cat "$1" | pp-features --line-buffered -f "x=close+1" -t "y=lead(x,1)"; exit ${PIPESTATUS[1]}' _ $S
	echo "$output" | diff -u "$T/want" -
}

@test "a live feed: a row written into a pipe comes out before the pipe closes" {
	mkfifo "$T/in"
	pp-features -f 'x=close*2' < "$T/in" > "$T/out" &
	pid=$!
	exec 5> "$T/in"
	printf 'symbol,date,close\nA,2024-01-01,1\n' >&5
	for _ in $(seq 50); do
		[ "$(wc -l < "$T/out")" -ge 2 ] && break
		sleep 0.1
	done
	run -0 cat "$T/out"
	assert_output "$(printf 'symbol,date,close,x\nA,2024-01-01,1,2')"
	exec 5>&-
	wait $pid
}

@test "--skip-bad skips rows it cannot use, counts them, and changes no state" {
	printf 'symbol,date,close\nA,2024-01-01,1\nA,2024-01-01,5\nA,2024-01-02,2\nA,2024-01-03,x\nA,2024-01-04,4\n' > "$T/bad.csv"
	run -0 --separate-stderr pp-features --skip-bad -f 's=sma(close,2)' "$T/bad.csv"
	cat > "$T/want" <<-'EOF'
	symbol,date,close,s
	A,2024-01-01,1,
	A,2024-01-02,2,1.5
	A,2024-01-04,4,3
	EOF
	echo "$output" | diff -u "$T/want" -
	[ "$stderr" = "pp-features: warning: skipped 2 bad rows" ]
	run -0 --separate-stderr pp-features -q --skip-bad -f 's=sma(close,2)' "$T/bad.csv"
	[ -z "$stderr" ]
}

@test "usage: missing arguments, one input at most, no features" {
	run -2 --separate-stderr pp-features -f
	[ "$stderr" = "pp-features: option --feature needs an argument" ]
	run -2 --separate-stderr pp-features --target
	[ "$stderr" = "pp-features: option --target needs an argument" ]
	run -2 --separate-stderr pp-features -F
	[ "$stderr" = "pp-features: option --spec needs an argument" ]
	run -2 --separate-stderr pp-features -f x=close $S $S
	[ "$stderr" = "pp-features: one input at most, got 2" ]
	run -2 --separate-stderr pp-features $S
	[ "$stderr" = "pp-features: no features: give -f NAME=EXPR, --target NAME=EXPR or -F FILE" ]
	printf '# nothing here\n\n' > "$T/empty.spec"
	run -2 --separate-stderr pp-features -F "$T/empty.spec" $S
	[ "$stderr" = "pp-features: no features: give -f NAME=EXPR, --target NAME=EXPR or -F FILE" ]
	run -2 --separate-stderr pp-features -F "$T/nope.spec" $S
	[ "$stderr" = "pp-features: $T/nope.spec: No such file or directory" ]
	run -2 --separate-stderr pp-features --bogus -f x=close $S
	[ "$stderr" = "pp-features: unknown option --bogus" ]
}

@test "--progress: the rows read, but never while the rows go to a terminal" {
	run -0 --separate-stderr pp-features --progress -f 'r=close/volume' -o "$T/o.csv" "$S"
	assert_equal "$stderr" "pp-features: 6 rows"
	run -0 --separate-stderr pp-features --progress -f 'r=close/volume' "$S"
	assert_equal "$stderr" "pp-features: 6 rows"
	run -0 --separate-stderr pp-features --progress -q -f 'r=close/volume' -o "$T/o.csv" "$S"
	assert_equal "$stderr" ""
	run -0 --separate-stderr pp-features -f 'r=close/volume' -o "$T/o.csv" "$S"
	assert_equal "$stderr" ""
	# on a terminal: shown with -o, not when the frame itself goes there
	run -0 script -qec "pp-features -f r=close/volume -o $T/o.csv $S" /dev/null
	assert_output $'\rpp-features: 6 rows\033[K\r'
	run -0 script -qec "pp-features --progress -f r=close/volume $S" /dev/null
	refute_output --partial "rows"
}
