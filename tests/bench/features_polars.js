// features_polars.js IN.csv OUT.csv - the benchmark's features and target
// in Polars (nodejs-polars), for tests/bench/features.sh to time against
// pp-features and pandas.
//
// Written the way a Polars user writes them: one lazy query, every
// feature a window expression `.over("symbol")` (shift, rolling_*,
// ewm_mean), no per-row JavaScript.  Same columns as
// `pp-features -F testdata/features-spec.txt`, with TA-Lib's seeding as
// pp-features has it, so the two agree to rounding on every row:
//   - ema(x, n) starts at the n-th row of a symbol with the mean of the
//     first n values, then e += 2/(n+1) (x - e);
//   - rsi and atr are Wilder averages (alpha 1/n) seeded with the mean of
//     the first n changes / true ranges;
//   - macd's fast and slow EMAs are both seeded at row slow-1, its signal
//     is an EMA of the macd line seeded with the mean of its first sig
//     values, and all three columns wait for the signal.
// Run by features.sh with the pinned nodejs-polars it installs into
// bench-out/polars (NODE_PATH).
"use strict";
const pl = require("nodejs-polars");

const col = pl.col;
const by = "symbol";

// Row number within the symbol: 0 for a symbol's first row.
const rowno = col(by).cumCount().over(by).sub(1);

// Only where the symbol has reached row `from`; null before.
function from(n, e) {
	return pl.when(rowno.gtEq(n)).then(e).otherwise(pl.lit(null));
}

// EMA of x with smoothing alpha whose first value, at the symbol's row
// `start`, is the mean of the n values of x that end there.
function seededEwm(x, n, alpha, start) {
	const seeded = pl.when(rowno.eq(start))
		.then(x.rollingMean(n).over(by))
		.when(rowno.gt(start)).then(x)
		.otherwise(pl.lit(null));
	return from(start, seeded.ewmMean({ alpha: alpha, adjust: false })
		.over(by));
}

function ema(x, n, start) {
	return seededEwm(x, n, 2 / (n + 1), start === undefined ? n - 1 : start);
}

function wilder(x, n) {	// x is null on a symbol's first row
	return seededEwm(x, n, 1 / n, n);
}

async function main() {
	const [src, dst] = process.argv.slice(2);
	const close = col("close");
	const prev = close.shift(1).over(by);
	const r = close.div(prev).log().alias("r");

	const gain = close.sub(prev).clip(0, Infinity);
	const loss = prev.sub(close).clip(0, Infinity);
	const g = wilder(gain, 14), l = wilder(loss, 14);

	const tr = pl.maxHorizontal([col("high").sub(col("low")),
		col("high").sub(prev).abs(), col("low").sub(prev).abs()]);
	const tr1 = pl.when(prev.isNotNull()).then(tr).otherwise(pl.lit(null));

	const line = ema(close, 12, 25).sub(ema(close, 26, 25));
	const sig = ema(line, 9, 25 + 8);
	const mid = close.rollingMean(20).over(by);
	// The population standard deviation: nodejs-polars 0.25.2 passes no
	// ddof to rolling_std (always 1), so rescale the sample one.
	const sd = close.rollingStd(20).over(by).mul(Math.sqrt(19 / 20));

	const lags = [1, 2, 3, 4, 5].map((k) =>
		col("r").shift(k).over(by).alias("r_lag" + k));
	const df = await pl.scanCSV(src)
		.withColumns(r)
		.withColumns(
			...lags,
			mid.alias("sma20"),
			ema(close, 20).alias("ema20"),
			pl.when(g.add(l).eq(0)).then(pl.lit(0))
				.otherwise(g.div(g.add(l)).mul(100)).alias("rsi14"),
			from(33, line).alias("macd_macd"),
			sig.alias("macd_signal"),
			from(33, line.sub(sig)).alias("macd_hist"),
			mid.add(sd.mul(2)).alias("bb_upper"),
			mid.alias("bb_middle"),
			mid.sub(sd.mul(2)).alias("bb_lower"),
			wilder(tr1, 14).alias("atr14"),
			col("r").rollingStd(20).over(by)
				.alias("vol20"),
			col("r").shift(-1).over(by).alias("y"))
		.collect();
	df.writeCSV(dst);
}

main().catch((e) => {
	console.error("features_polars.js: " + e.message);
	process.exit(1);
});
