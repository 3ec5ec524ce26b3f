#!/usr/bin/env bats
# t6030: pp-serve's online features, POST /v1/models/NAME/bars.
#
# Plan:
#   identical    every bar of a three-symbol interleaved frame, posted one
#                alone and then in lists of 40, answers bit for bit (the
#                same digits) what `pp-predict --from-bars` and
#                `pp-features -F spec` then pp-predict give on the file
#   warm-up      a symbol's first warmup bars answer null with "warming
#                up: K more bars", K counting down to 1; the next predicts
#   409          a duplicate or earlier date is 409 naming symbol, date and
#                bar; a list with one refused bar takes none of its bars
#                (the symbols it touched answer afterwards as if it had
#                never come, a new symbol in it is not kept)
#   errors       a model without a spec is 400 saying so (its /infer still
#                serves); bad bodies are 400 naming the bar and key; GET is
#                405; --max-symbols past its limit is 400
#   --warm       history fed at start: the rest of the bars answer as in
#                the batch run; a reload (SIGHUP) starts the new version
#                from the warm file again; a bad warm file fails the start

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load 'helpers/serve'

TESTDATA="$BATS_TEST_DIRNAME/../testdata"

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
	export PP_REGISTRY="$T/pp.db"
	PID=
	pp-fetch synth --symbols AAA,BBB,CCC --start 2019-01-01 \
	    --end 2019-06-30 --seed 3 -o seq.csv
	{ head -1 seq.csv; tail -n +2 seq.csv | sort -t, -k2,2 -s; } >bars.csv
	pp-features -F "$TESTDATA/features-spec.txt" --print-spec >spec.txt
	grep -v '^target ' spec.txt >feat.txt
	pp-features -F spec.txt --dropna -B -o train.ppf bars.csv
	pp-train -m ridge --alpha 0.5 --standardize --target y --no-registry \
	    -o m.ppm train.ppf 2>/dev/null
	# One JSON bar a line, in the file's order.
	awk -F, 'NR > 1 { printf "{\"symbol\":\"%s\",\"date\":\"%s\",\"open\":%s,\"high\":%s,\"low\":%s,\"close\":%s,\"volume\":%s}\n", $1, $2, $3, $4, $5, $6, $7 }' bars.csv >bars.jsonl
}

teardown() {
	serve_teardown
}

# post_bars FILE OUT: POST the JSON bars of FILE (one a line) as one list;
# append the answers to OUT as CSV rows symbol,date,prediction (empty for
# null).  Fails unless the answer is 200.
post_bars() {
	local body
	{ printf '['; paste -sd, "$1"; printf ']'; } >req.json
	body=$(http POST /v1/models/m/bars --data-binary @req.json)
	[ "${body##*$'\n'}" = 200 ] || { echo "$body" >&2; return 1; }
	body=${body%$'\n'*}
	printf '%s\n' "$body" | sed 's/^.*"bars":\[{//; s/}\]}$//; s/},{/\n/g' |
	    sed -E 's/^"symbol":"([^"]*)","date":"([^"]*)","prediction":([^,]*).*$/\1,\2,\3/; s/,null$/,/' >>"$2"
}

@test "every bar answers bit for bit what the batch pipeline gives" {
	pp-predict -m m.ppm --from-bars --only -o batch.csv bars.csv
	pp-features -F feat.txt -o f.csv bars.csv
	pp-predict -m m.ppm --only -o piped.csv f.csv
	serve_start -m m.ppm
	echo symbol,date,prediction >served.csv
	head -1 bars.jsonl >first.jsonl
	tail -n +2 bars.jsonl | split -l 40 - chunk.
	post_bars first.jsonl served.csv
	for c in chunk.*; do
		post_bars "$c" served.csv
	done
	serve_stop
	[ "$STATUS" -eq 0 ]
	[ "$(wc -l <served.csv)" -eq "$(wc -l <bars.csv)" ]
	[ "$(grep -vc ',$' served.csv)" -gt 200 ]
	cmp batch.csv served.csv
	cmp piped.csv served.csv
}

@test "warm-up bars answer null and count down the bars still needed" {
	run -0 --separate-stderr pp-train --describe m.ppm
	assert_line "warmup: 33"
	serve_start -m m.ppm
	grep '"AAA"' bars.jsonl | head -35 >aaa.jsonl
	run -0 http POST /v1/models/m/bars --data-binary @<(head -1 aaa.jsonl)
	assert_output "$(printf '%s\n200' '{"model_name":"m","model_version":"1","bars":[{"symbol":"AAA","date":"2019-01-01","prediction":null,"status":"warming up: 33 more bars"}]}')"
	sed -n 2,32p aaa.jsonl >mid.jsonl
	echo symbol,date,prediction >out.csv
	post_bars mid.jsonl out.csv
	run -0 http POST /v1/models/m/bars --data-binary @<(sed -n 33p aaa.jsonl)
	assert_output "$(printf '%s\n200' '{"model_name":"m","model_version":"1","bars":[{"symbol":"AAA","date":"2019-02-14","prediction":null,"status":"warming up: 1 more bar"}]}')"
	run -0 http POST /v1/models/m/bars --data-binary @<(sed -n 34p aaa.jsonl)
	assert_output --regexp '^\{"model_name":"m","model_version":"1","bars":\[\{"symbol":"AAA","date":"2019-02-15","prediction":-?[0-9][-0-9.e]*\}\]\}'$'\n''200$'
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "a duplicate or earlier bar is 409 and a list with one takes none" {
	pp-predict -m m.ppm --from-bars --only -o batch.csv bars.csv
	serve_start -m m.ppm
	head -60 bars.jsonl >a.jsonl
	echo symbol,date,prediction >out.csv
	post_bars a.jsonl out.csv
	# Bar 60 again: a duplicate.
	run -0 http POST /v1/models/m/bars --data-binary @<(sed -n 60p bars.jsonl)
	assert_output "$(printf '%s\n409' '{"error":"bar 1: symbol \"CCC\": date 2019-01-28 is not after the previous 2019-01-28; no bar of the request was taken"}')"
	# A list of the next two bars, a new symbol, then an earlier AAA bar.
	{ sed -n 61,62p bars.jsonl; echo '{"symbol":"ZZZ","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1}'; sed -n 1p bars.jsonl; } >bad.jsonl
	{ printf '['; paste -sd, bad.jsonl; printf ']'; } >bad.json
	run -0 http POST /v1/models/m/bars --data-binary @bad.json
	assert_output "$(printf '%s\n409' '{"error":"bar 4: symbol \"AAA\": date 2019-01-01 is not after the previous 2019-01-29; no bar of the request was taken"}')"
	# Nothing of it was taken: bars 61 on answer as in the batch run, and
	# ZZZ starts its warm-up.
	tail -n +61 bars.jsonl | head -30 >rest.jsonl
	post_bars rest.jsonl out.csv
	head -91 batch.csv >want.csv
	cmp want.csv out.csv
	run -0 http POST /v1/models/m/bars --data-binary @<(sed -n 3p bad.jsonl)
	assert_output "$(printf '%s\n200' '{"model_name":"m","model_version":"1","bars":[{"symbol":"ZZZ","date":"2019-01-01","prediction":null,"status":"warming up: 33 more bars"}]}')"
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "a model without a spec is 400 on bars and still infers" {
	serve_start -m "$TESTDATA/model-ridge-v1.ppm"
	run -0 http POST /v1/models/model-ridge-v1/bars --data-binary @<(head -1 bars.jsonl)
	assert_output "$(printf '%s\n400' '{"error":"model \"model-ridge-v1\" has no online features: the model has no feature spec (train it on a binary frame from pp-features, or with -F)"}')"
	run -0 http POST /v1/models/model-ridge-v1:predict -d '{"instances":[[1,2,3]]}'
	assert_line --index 1 200
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "bad bodies are 400 naming the bar; GET is 405; unknown model 404" {
	serve_start -m m.ppm --max-symbols 2
	run -0 http POST /v1/models/m/bars -d '{"symbol":'
	assert_output "$(printf '%s\n400' '{"error":"malformed JSON: line 1 column 10: unexpected token near end of file"}')"
	run -0 http POST /v1/models/m/bars -d '[]'
	assert_output "$(printf '%s\n400' '{"error":"the body is not a bar object or a non-empty array of them"}')"
	run -0 http POST /v1/models/m/bars -d '[{"symbol":"A","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1},{"symbol":"A","date":"2019-01-02","open":1,"high":1,"low":1,"volume":1}]'
	assert_output "$(printf '%s\n400' '{"error":"bar 2: \"close\" is missing"}')"
	run -0 http POST /v1/models/m/bars -d '{"symbol":"A","date":"2019-02-30","open":1,"high":1,"low":1,"close":1,"volume":1}'
	assert_output "$(printf '%s\n400' '{"error":"bar 1: \"date\" is not a date YYYY-MM-DD"}')"
	run -0 http POST /v1/models/m/bars -d '{"symbol":"","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1}'
	assert_output "$(printf '%s\n400' '{"error":"bar 1: \"symbol\" must be 1 to 64 bytes"}')"
	run -0 http POST /v1/models/m/bars -d '{"symbol":"A","date":"2019-01-01","open":1,"high":"x","low":1,"close":1,"volume":1}'
	assert_output "$(printf '%s\n400' '{"error":"bar 1: \"high\" is not a number"}')"
	run -0 http POST /v1/models/m/bars -d '{"symbol":"A","date":"2019-01-01","open":1,"high":1,"low":null,"close":1,"volume":1}'
	assert_output "$(printf '%s\n400' '{"error":"bar 1: \"low\" is missing (NaN or infinite)"}')"
	run -0 http POST /v1/models/m/bars -d '[{"symbol":"A","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1},{"symbol":"B","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1},{"symbol":"C","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1}]'
	assert_output "$(printf '%s\n400' '{"error":"bar 3: symbol \"C\": the model holds its limit of 2 symbols; no bar of the request was taken"}')"
	# Nothing was taken: A and B are still new.
	run -0 http POST /v1/models/m/bars -d '[{"symbol":"A","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1},{"symbol":"B","date":"2019-01-01","open":1,"high":1,"low":1,"close":1,"volume":1}]'
	assert_line --index 1 200
	run -0 http GET /v1/models/m/bars
	assert_output "$(printf '%s\n405' '{"error":"use POST"}')"
	run -0 http POST /v1/models/nope/bars -d '{}'
	assert_output "$(printf '%s\n404' '{"error":"no model \"nope\""}')"
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "--warm feeds history at start and again at each reload" {
	pp-predict -m m.ppm --from-bars --only -o batch.csv bars.csv
	head -301 bars.csv >warm.csv
	pp cat -B -o warm.ppf warm.csv
	serve_start -m m.ppm --warm warm.ppf
	tail -n +301 bars.jsonl >rest.jsonl
	echo symbol,date,prediction >out.csv
	post_bars rest.jsonl out.csv
	{ head -1 batch.csv; tail -n +302 batch.csv; } >want.csv
	cmp want.csv out.csv
	# A forced reload: the new version starts from the warm file again,
	# so the same bars are accepted and answer the same.
	kill -HUP "$PID"
	for _ in $(seq 50); do
		grep -q 'swapped in' "$SERR" && break
		sleep 0.1
	done
	echo symbol,date,prediction >again.csv
	post_bars rest.jsonl again.csv
	cmp want.csv again.csv
	serve_stop
	[ "$STATUS" -eq 0 ]
}

@test "a warm file that cannot be read or fed fails the start" {
	run -1 --separate-stderr pp-serve -m m.ppm --listen 127.0.0.1:0 --warm nope.csv
	assert_output ""
	assert_equal "$stderr" "pp-serve: --warm: nope.csv: No such file or directory"
	cut -d, -f1,2,6 bars.csv >narrow.csv
	run -1 --separate-stderr pp-serve -m m.ppm --listen 127.0.0.1:0 --warm narrow.csv
	assert_equal "$stderr" 'pp-serve: --warm: narrow.csv: no column "open"'
	{ head -2 bars.csv; sed -n 2p bars.csv; } >dup.csv
	run -1 --separate-stderr pp-serve -m m.ppm --listen 127.0.0.1:0 --warm dup.csv
	assert_equal "$stderr" 'pp-serve: --warm: dup.csv:3: symbol "AAA": date 2019-01-01 is not after the previous 2019-01-01'
}
