#!/usr/bin/env bats
# t2020: no look-ahead, proven on the program (the engine-level property
# test with every function is tests/unit/test_feat.c).
#
# Plan, on testdata/features-prices.csv (three interleaved symbols) with the
# bench spec plus the price-column indicators (old and new catalogue):
#   prefixes: for prefixes of several lengths, every feature of every row is
#     text-identical (so bit-identical: doubles are written round-trip) to
#     that row in the full run, and every target is identical or missing
#   alteration: changing one row (its prices and volume) changes no feature
#     of an earlier row or of another symbol, and does change its own
#   cross-sections and ref(): prefixes ending at a date give the same
#     values (altering a symbol's later rows: t2050)
#   the same holds for binary input and output
#   each of these with the engine on one thread and sharded across two
#   (--threads 1 and 2; t2060 proves the outputs are the same bytes)

load helpers/common

setup() {
	common_setup
	P=testdata/features-prices.csv
	EXTRA=(-f 'ax=adx(5)' -f 'st=stoch(5,3,3)' -f 'cc=cci(5)'
	    -f 'mf=mfi(5)' -f 'vw=vwap(5)' -f 'ob=obv()' -f 'wr=willr(5)'
	    -f 'ar=aroon(5)' -f 'dc=donchian(5)' -f 'ad=ad()' -f 'ao=adosc(3,6)'
	    -f 'cf=cmf(5)' -f 'bp=bop()' -f 'pd=plus_di(5)' -f 'pm=minus_dm(5)'
	    -f 'dxx=dx(5)' -f 'cm=cmo(close,5)' -f 'tr=trange()' -f 'cl=clv()'
	    -f 'ti=trima(close,5)' -f 'po=ppo(close,3,6)' -f 'mp=midprice(5)'
	    -f 'sr=stochrsi(close,5,3,2)' -f 'uo=ultosc(2,3,5)' -f 'tx=trix(close,3,2)'
	    -f 'kc=keltner(5,2)' -f 'sn=snr(5)' -f 'cv=chaikin_vol(3)'
	    -f 'wad=williams_ad()' -f 'em=emv(3)' -f 'vh=vhf(close,5)'
	    -f 'axr=adxr(3)' -f 'sa=sar()' -f 'ka=kama(close,5)' -f 't3=t3(close,3)'
	    -f 'zl=zlema(close,4)' -f 'ev=evwma(close,4)' -f 'vm=vwma(close,4)'
	    -f 'hm=hma(close,4)' -f 'al=alma(close,5)' -f 'lr=linearreg(close,4)'
	    -f 'ts=tsf(close,4)' -f 'sm=smi(5,2,3,3)' -f 'td=tdi(close,3)'
	    -f 'ks=kst(close)' -f 'vo=vol(5,yang_zhang)' -f 'vc=vol(5,close)'
	    -f 'me=median(close,6)' -f 'qu=quantile(close,5,0.3)' -f 'md=mad(close,5)'
	    -f 'sk=skew(close,5)' -f 'ku=kurt(close,6)' -f 'rk=rank(close,5)'
	    -f 'pk=pctrank(close,5)' -f 'es=ewm_std(close,5)' -f 'su=sum(volume,5)'
	    -f 'up=close>sma20' -t 'u5=lead(close,5)>close')
}

# compare FULL PART MODE: MODE "prefix" (PART's rows must match FULL) or
# "alter:N" (row N of the input, 1-based after the header, was altered).
compare() {
	python3 - "$@" <<-'EOF'
	import csv, sys
	full, part, mode = sys.argv[1:4]
	def load(p):
	    with open(p, newline="") as f:
	        r = list(csv.reader(f))
	    return r[0], {(x[0], x[1]): x for x in r[1:]}
	hf, f = load(full)
	hp, p = load(part)
	assert hf == hp, "headers differ"
	feat = [i for i, h in enumerate(hf) if i >= 7 and h not in ("y", "u5")]
	targ = [hf.index("y"), hf.index("u5")]
	bad = 0
	if mode == "prefix":
	    for k, row in p.items():
	        g = f[k]
	        for i in feat:
	            if row[i] != g[i]:
	                print("feature", hf[i], k, row[i], "!=", g[i]); bad += 1
	        for i in targ:
	            if row[i] not in ("", g[i]):
	                print("target", hf[i], k, row[i], "!=", g[i]); bad += 1
	else:
	    n = int(mode.split(":")[1])
	    with open(sys.argv[4], newline="") as fh:
	        order = [(x[0], x[1]) for x in list(csv.reader(fh))[1:]]
	    sym = order[n - 1][0]
	    own = 0
	    for j, k in enumerate(order, 1):
	        if j < n or k[0] != sym:
	            for i in feat:
	                if p[k][i] != f[k][i]:
	                    print("row", j, k, hf[i], "changed"); bad += 1
	        elif j == n:
	            own = sum(p[k][i] != f[k][i] for i in feat)
	    if own == 0:
	        print("the altered row's features did not change"); bad += 1
	sys.exit(1 if bad else 0)
	EOF
}

@test "features on prefixes are bit-identical to the full run" {
	for th in 1 2; do
		run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/full.csv" $P
		for n in 2 4 11 40 77 100 131 150 179; do
			head -n $((n + 1)) $P > "$T/in.csv"
			run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/part.csv" "$T/in.csv"
			[ "$(wc -l < "$T/part.csv")" -eq $((n + 1)) ]
			run -0 compare "$T/full.csv" "$T/part.csv" prefix
		done
	done
}

@test "cross-sections on prefixes ending at a date are bit-identical" {
	for th in 1 2; do
		CS=(-f 'ck=cs_rank(r)' -f 'cz=cs_zscore(close)' -f 'cd=cs_demean(r)'
		    -f 'cq=cs_quantile(volume,2)' -f 'rf=ref(BBB,r)'
		    -f 'sm=sma(cs_rank(r)-ref(AAA,r),3)')
		run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" "${CS[@]}" -o "$T/full.csv" $P
		# Three symbols a date: 3n rows end at a date.
		for n in 3 12 39 78 150 177; do
			head -n $((n + 1)) $P > "$T/in.csv"
			run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" "${CS[@]}" -o "$T/part.csv" "$T/in.csv"
			[ "$(wc -l < "$T/part.csv")" -eq $((n + 1)) ]
			run -0 compare "$T/full.csv" "$T/part.csv" prefix
		done
	done
}

@test "altering a row changes no earlier feature and no other symbol's" {
	for th in 1 2; do
		run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/full.csv" $P
		for n in 1 37 90 120 178; do
			awk -F, -v OFS=, -v n=$((n + 1)) 'NR == n { $3 *= 1.1; $4 *= 1.2; $5 *= 0.9; $6 *= 1.05; $7 *= 3 } 1' $P > "$T/alt.csv"
			run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/part.csv" "$T/alt.csv"
			run -0 compare "$T/full.csv" "$T/part.csv" alter:$n "$T/alt.csv"
		done
	done
}

@test "binary in and out give the same values" {
	for th in 1 2; do
		run -0 pp-features --threads $th -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/full.csv" $P
		pp cat -B -o "$T/in.ppf" $P
		run -0 pp-features --threads $th -B -F testdata/features-spec.txt "${EXTRA[@]}" -o "$T/out.ppf" "$T/in.ppf"
		run -0 pp cat -o "$T/back.csv" "$T/out.ppf"
		diff -u "$T/full.csv" "$T/back.csv"
	done
}
