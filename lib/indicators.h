/*
 * indicators.h - streaming technical indicators, one row at a time.
 *
 * Every function pp-features offers over time (sma, rsi, macd, atr...) is a
 * row of a table of struct pp_ind_def.  The engine looks a name up, turns
 * the constant arguments into a full parameter vector with pp_ind_params,
 * allocates state_size(params) bytes for every (symbol, call) pair, runs
 * init once and then step once per row of that symbol, in date order.
 *
 * Invariants and ownership:
 *  - State is one flat block owned by the caller: no pointers inside and no
 *    resources held, so it may be allocated anywhere (aligned for double),
 *    moved with memcpy, and released with free() or an arena; there is no
 *    _release.  Its size is O(window) and never grows: step() never
 *    allocates, and it is O(1) amortised per row except median and
 *    quantile (O(log n)) and cci, alma, mad, skew, kurt, rank, pctrank
 *    (O(n): see each below).
 *  - step() reads only the row it is given and the state, so the value at
 *    row t depends on rows <= t of that symbol only (no look-ahead).
 *  - Outputs are NaN while the function warms up, never zero or a partial
 *    window.  For an input without missing values, exactly warmup(params)
 *    leading rows are NaN and every later row is a number, except where
 *    the formula itself is undefined (zscore, corr, beta over a constant
 *    window; vwap without volume; ret, roc, logret on a zero base).
 *    Warm-ups add up through nesting: f(g(x), h(x)) has warmup(f) +
 *    max(warmup(g), warmup(h)) leading NaN rows, for every f here (each
 *    kind's NaN rule below makes it so).
 *  - The library never prints; init and pp_ind_params report through
 *    struct pp_err ("sma: n must be a whole number from 1 to 1000000").
 *
 * Inputs of one step: in[0 .. nseries) are the series arguments the user
 * wrote (sma(x, n): x), then the implicit columns in the order `implicit`
 * lists them (atr: high, low, close).  Outputs: out[0 .. noutputs).
 *
 * Missing values (NaN, and +/-inf: pp_plan_step hands an infinite input to
 * every function as NaN, so one zero divisor upstream does not poison a
 * window's sums or a recursion for good) -- the rule, by kind of function:
 *  - shift (lag diff ret logret mom roc rocp rocr) and row (trange clv
 *    bop): pure row arithmetic; the output at row t is NaN when an input
 *    it reads is NaN: x[t] or x[t-k]; for trange high[t], low[t] or
 *    close[t-1].
 *  - window (sma wma var stddev zscore bbands min max corr beta vwap willr
 *    stoch cci mfi midpoint midprice donchian aroon cmf apo ppo trima
 *    ultosc vhf emv stochf vwma hma alma linearreg tsf kst tdi vol sum
 *    median quantile mad skew kurt rank pctrank;
 *    stochrsi's stochastic on its rsi, smi's window before its EMAs):
 *    the output at row t is NaN when any input of any row
 *    in its window is NaN, so a missing value blanks the next n rows (mfi,
 *    which compares with the previous row, n + 1) and then the values are
 *    exact again.  Leading NaNs, such as those of a nested expression
 *    (sma(logret(close, 1), 20)), are simply rows in the window, so the
 *    warm-up ends n - 1 rows after the first valid input.  A stage fed by
 *    another (stoch's %D) follows the same rule on its input.
 *  - recursive (ema dema tema macd rsi atr natr adx obv cmo ad adosc
 *    plus_dm minus_dm plus_di minus_di dx trix keltner snr chaikin_vol
 *    williams_ad adxr sar kama t3 zlema evwma ewm_std): a row with any
 *    NaN input outputs NaN and leaves the state untouched, as if the row
 *    were absent: leading NaNs are skipped (the warm-up counts valid rows
 *    only), and after a gap the recursion, and the "previous close" of a
 *    true range, continue from the last valid row.  Carrying the state
 *    across the gap (rather than poisoning it forever, as TA-Lib's NaN
 *    propagation would, or restarting the warm-up) keeps one missing print
 *    from erasing months of a long EMA.
 *
 * Running sums and drift (sma wma var stddev zscore bbands corr beta vwap
 * mfi).  Updating a window sum by adding the new value and subtracting the
 * old one accumulates rounding error without bound over millions of rows,
 * and the textbook variance sum(x^2)/n - mean^2 loses every digit when the
 * mean is large against the spread (prices near 1e4 moving by 1).  So each
 * window keeps its sums of (x - K), not of x, where the shift K is the
 * window mean at the last recomputation, and every n rows (whenever the
 * ring buffer wraps) the sums are recomputed from the buffered window
 * exactly.  Between recomputations the add/remove updates use Neumaier's
 * compensated summation.  The recomputation costs O(n) once per n rows,
 * O(1) amortised, and bounds the error by that of n compensated updates of
 * centred values, whatever the length of the history or how far the
 * series wanders from its start.  Over 10 million rows of a random walk
 * near 1e4, sma, wma, stddev, var, corr and beta agree with a from-scratch
 * two-pass computation to 2e-14 relative (tests/unit/test_ind_drift.c
 * requires 1e-9; plain add/remove sums fail it at 1.7e-9 after 140,000
 * rows).  Either mechanism alone passes that test; both are kept, since
 * compensation bounds the error between recomputations and recomputation
 * keeps the shift near the data.  Neither helps when the scale collapses:
 * after 1e10, 1, 2 the shifted squares still carry the rounding error of
 * (1e10 - K)^2, which dwarfs the true deviations, so a window also
 * recomputes early when its sums say they have lost more than a few bits
 * (ind_util.c, stale_series); tests/unit/test_ind_drift.c checks every
 * window of a series jumping between 1e-300 and 1e300 against a naive
 * two-pass computation.  That check costs about a quarter more time per
 * row; an exact (double-double) product in every update would have cost
 * more and still failed once the shift K itself was far from the data.
 * Welford's add/remove update was rejected: stable per step, but its
 * error still grows with the row count.  obv, a running total, uses a compensated sum for the same
 * reason.
 *
 * The functions (x, y: series; n, k...: whole-number constants; warm-up:
 * leading NaN rows for clean input; "TA-Lib" names its function):
 *
 *  lag(x, k=1)      x[t-k].  Warm-up k.
 *  diff(x, k=1)     x[t] - x[t-k].  Warm-up k.  (TTR momentum(x, k).)
 *  ret(x, k=1)      x[t] / x[t-k] - 1; NaN if x[t-k] = 0.  Warm-up k.
 *                   (TA-Lib ROCP, which gives 0 instead of NaN.)
 *  logret(x, k=1)   log(x[t] / x[t-k]); NaN unless both are > 0.  Warm-up k.
 *                   (TTR ROC(x, k), type "continuous", its default.)
 *  mom(x, n)        x[t] - x[t-n].  Warm-up n.  TA-Lib MOM.
 *  roc(x, n)        100 * (x[t] / x[t-n] - 1); NaN if x[t-n] = 0.  Warm-up
 *                   n.  TA-Lib ROC (0 instead of NaN on a zero base); TTR's
 *                   ROC defaults to log returns, not percent.
 *  sma(x, n)        mean of the last n values.  Warm-up n-1.  TA-Lib SMA.
 *  wma(x, n)        sum i * x[t-n+i], i = 1..n, over n(n+1)/2.  Warm-up
 *                   n-1.  TA-Lib WMA, TTR WMA.
 *  ema(x, n)        e = mean of the first n values, then
 *                   e += 2/(n+1) * (x - e).  Warm-up n-1.  TA-Lib EMA, TTR
 *                   EMA (both seed with the simple mean).
 *  dema(x, n)       2 e1 - e2; e1 = ema(x, n), e2 = ema(e1, n).  Warm-up
 *                   2(n-1).  TA-Lib DEMA, TTR DEMA.
 *  tema(x, n)       3 e1 - 3 e2 + e3, e3 = ema(e2, n).  Warm-up 3(n-1).
 *                   TA-Lib TEMA.
 *  rsi(x, n)        100 g / (g + l), g and l Wilder averages (alpha 1/n)
 *                   of the gains and losses of x, each seeded with the
 *                   mean of the first n changes; 0 when g + l = 0.  Warm-up
 *                   n.  TA-Lib RSI; TTR RSI gives NaN when g + l = 0.
 *  macd(x, fast, slow, sig) -> macd, signal, hist
 *                   macd = ema(x, fast) - ema(x, slow), signal = ema(macd,
 *                   sig), hist = macd - signal.  As in TA-Lib MACD, the
 *                   fast EMA is seeded with the mean of the `fast` values
 *                   that end where the slow seed ends (rows slow-fast ..
 *                   slow-1), not with the first `fast` values, and all
 *                   three outputs are NaN until the signal has a value.  Warm-up slow+sig-2
 *                   (33 for 12, 26, 9).  fast and slow are swapped if fast
 *                   > slow, as TA-Lib does.  TTR MACD seeds the fast EMA
 *                   from the first rows, gives macd from row slow-1, and
 *                   by default (percent = TRUE) 100 (fast/slow - 1).
 *  bbands(x, n, k=2) -> upper, middle, lower
 *                   middle = sma(x, n), upper/lower = middle +/- k times
 *                   the population standard deviation of the window.
 *                   Warm-up n-1.  TA-Lib BBANDS (SMA), TTR BBands.
 *  var(x, n, ddof=1)     sum (x - mean)^2 / (n - ddof) over the window:
 *                   ddof 1 is the sample variance (TTR runVar, pandas),
 *                   ddof 0 the population variance (TA-Lib VAR).  Warm-up
 *                   n-1; n >= 2 when ddof is 1.
 *  stddev(x, n, ddof=1)  sqrt(var(x, n, ddof)).  Warm-up n-1.  TTR runSD
 *                   and pandas default to ddof 1; TA-Lib STDDEV is ddof 0
 *                   (stddev(x, n, 0)).
 *  zscore(x, n, ddof=1)  (x - sma(x, n)) / stddev(x, n, ddof); NaN when the
 *                   window is constant.  Warm-up n-1.  (pandas-ta zscore.)
 *  min(x, n), max(x, n)  lowest / highest of the last n values.  Warm-up
 *                   n-1.  TA-Lib MIN, MAX; TTR runMin, runMax.
 *  corr(x, y, n)    Pearson correlation of the last n pairs; NaN when
 *                   either is constant (TA-Lib CORREL gives 0).  Warm-up
 *                   n-1; n >= 2.  TA-Lib CORREL, TTR runCor.
 *  beta(x, y, n)    cov(x, y) / var(x) over the last n pairs: the slope of
 *                   y regressed on x (x is the market); NaN when x is
 *                   constant (TA-Lib gives 0).  Warm-up n-1; n >= 2.  TA-Lib BETA takes prices and
 *                   regresses their one-row returns (warm-up n); beta(ret(a),
 *                   ret(b), n) gives the same values one row later.
 *  atr(n)           Wilder average (alpha 1/n) of the true range
 *                   max(high, prev close) - min(low, prev close), seeded
 *                   with the mean of the first n ranges (rows 1..n; row 0
 *                   has no previous close).  Warm-up n.  TA-Lib ATR, TTR
 *                   ATR.
 *  natr(n)          100 * atr(n) / close; 0 when close = 0.  Warm-up n.
 *                   TA-Lib NATR.
 *  adx(n)           As TA-Lib ADX: +DM = up move when up > down and > 0,
 *                   -DM likewise; DM and TR are Wilder sums seeded with
 *                   the sum of rows 1..n-1 (so the first smoothed value is
 *                   (1 - 1/n) sum + value); +DI, -DI = 100 DM / TR;
 *                   DX = 100 |+DI - -DI| / (+DI + -DI); ADX = mean of the
 *                   first n DX, then Wilder.  A row whose TR sum or DI sum
 *                   is zero leaves ADX unchanged.  Warm-up 2n-1.  TTR ADX
 *                   seeds DM and TR with the mean of rows 1..n instead,
 *                   so its first values differ slightly.
 *  stoch(k, slowk, d) -> k, d
 *                   fastk = 100 (close - lowest low) / (highest high -
 *                   lowest low) over k rows (0 when the range is 0), k =
 *                   sma(fastk, slowk), d = sma(k, d).  Both outputs start
 *                   together.  Warm-up k+slowk+d-3.  TA-Lib STOCH with
 *                   SMA slowing (k is NaN wherever d is); TTR stoch(nFastK = k, nFastD = slowk,
 *                   nSlowD = d) calls these fastD and slowD, as fractions
 *                   of 1, not percent.
 *  willr(n)         -100 (highest high - close) / (highest high - lowest
 *                   low) over n rows; 0 when the range is 0.  Warm-up n-1.
 *                   TA-Lib WILLR; TTR WPR is the positive fraction.
 *  cci(n)           tp = (high + low + close) / 3; (tp - sma(tp, n)) /
 *                   (0.015 * mean |tp - sma(tp, n)|) over the window; 0
 *                   when either factor is 0.  O(n) per row: the mean
 *                   absolute deviation about a moving mean has no O(1)
 *                   update, and the window is recomputed exactly each row
 *                   (as TA-Lib does).  Warm-up n-1.  TA-Lib CCI, TTR CCI.
 *  obv()            running total of volume, added when close rises,
 *                   subtracted when it falls, starting at the first
 *                   volume.  Warm-up 0.  TA-Lib OBV, TTR OBV.
 *  mfi(n)           tp as cci; flow tp * volume is positive when tp rises
 *                   against the previous row, negative when it falls;
 *                   100 pos / (pos + neg) over the last n flows; 0 when
 *                   both are 0.  Warm-up n.  TA-Lib MFI gives 0 whenever
 *                   pos + neg < 1; TTR MFI.
 *  vwap(n)          sum (tp * volume) / sum volume over n rows, tp as cci;
 *                   NaN when the volume is 0.  Warm-up n-1.  TTR VWAP(tp,
 *                   volume, n); pandas-ta's vwap is anchored (resets each
 *                   day), not rolling.
 *
 * Added with the second catalogue (ind_range.c, ind_volume.c,
 * ind_momentum.c; tp, HH, LL as above, clv = ((close - low) - (high -
 * close)) / (high - low), 0 unless high > low):
 *
 *  rocp(x, n)       (x[t] - x[t-n]) / x[t-n]; rocr(x, n): x[t] / x[t-n].
 *                   NaN on a zero base (TA-Lib ROCP, ROCR give 0).
 *                   Warm-up n.
 *  trange()         max(high, prev close) - min(low, prev close).  Warm-up
 *                   1 (row 0 has no previous close).  TA-Lib TRANGE, TTR
 *                   ATR's tr.
 *  clv()            the close location value.  Warm-up 0.  TTR CLV.
 *  bop()            (close - open) / (high - low); 0 unless high > low.
 *                   Warm-up 0.  TA-Lib BOP.
 *  midpoint(x, n)   (max(x, n) + min(x, n)) / 2.  Warm-up n-1.  TA-Lib.
 *  midprice(n)      (HH + LL) / 2 over n rows of high, low.  Warm-up n-1.
 *                   TA-Lib MIDPRICE.
 *  donchian(n) -> upper, middle, lower
 *                   HH, (HH + LL) / 2, LL over n rows.  Warm-up n-1.  TTR
 *                   DC.
 *  aroon(n) -> up, down, osc
 *                   over the n+1 rows t-n .. t, up = 100 (n - rows since
 *                   the highest high) / n, down likewise with the lowest
 *                   low, osc = up - down; of equal extremes the newest
 *                   counts.  Warm-up n.  TA-Lib AROON (aroondown,
 *                   aroonup) and AROONOSC; TTR aroon takes the oldest of
 *                   equal extremes, so it differs on ties.
 *  trima(x, n)      weights 1, 2, .., 2, 1 over n rows: sma(sma(x, n1),
 *                   n2) with n1 = n2 = (n+1)/2 for odd n, n1 = n/2+1, n2 =
 *                   n/2 for even n.  Warm-up n-1.  TA-Lib TRIMA.
 *  apo(x, fast, slow)  sma(x, fast) - sma(x, slow); ppo: 100 (sma(x, fast)
 *                   - sma(x, slow)) / sma(x, slow), NaN when that is 0
 *                   (TA-Lib gives 0).  Periods swapped if fast > slow.
 *                   Warm-up slow-1.  TA-Lib APO, PPO with their default
 *                   moving average, the SMA.
 *  cmo(x, n)        100 (g - l) / (g + l) with rsi's Wilder averages; 0
 *                   when g + l = 0.  Warm-up n.  TA-Lib CMO; TTR CMO sums
 *                   the last n gains and losses unsmoothed (same first
 *                   value, different later ones).
 *  ad()             running total of clv * volume.  Warm-up 0.  TA-Lib AD,
 *                   TTR chaikinAD.
 *  adosc(fast, slow)   e(ad, fast) - e(ad, slow), where e is an EMA (alpha
 *                   2/(p+1)) seeded with the first ad value, not a mean.
 *                   Warm-up max(fast, slow)-1.  TA-Lib ADOSC (3, 10 are
 *                   its defaults); TTR chaikinOscillator seeds its EMAs
 *                   with means, so its early values differ.
 *  cmf(n)           sum(clv * volume) / sum(volume) over n rows; NaN
 *                   without volume.  Warm-up n-1.  TTR CMF.
 *  plus_dm(n), minus_dm(n)   +DM (the up move high - prev high when > 0
 *                   and > the down move prev low - low) and -DM
 *                   likewise, summed over moves 1..n-1, then Wilder sums
 *                   s - s/n + dm.  Warm-up n-1 (1 when n is 1, the raw
 *                   moves).  TA-Lib PLUS_DM, MINUS_DM.
 *  plus_di(n), minus_di(n)   100 DM / TR with DM and the true range TR
 *                   summed as above; 0 when TR is 0.  Warm-up n.  TA-Lib
 *                   PLUS_DI, MINUS_DI.
 *  dx(n)            100 |+DI - -DI| / (+DI + -DI); 0 when both are 0.
 *                   Warm-up n.  TA-Lib DX (adx averages it).
 *  stochf(k, d) -> k, d
 *                   stoch(k, 1, d): fast %K and its SMA over d, starting
 *                   together.  Warm-up k+d-2.  TA-Lib STOCHF.
 *  stochrsi(x, n, k, d) -> k, d
 *                   stochf(k, d) of rsi(x, n) taken as high, low and
 *                   close.  Warm-up n+k+d-2.  TA-Lib STOCHRSI.
 *  ultosc(n1, n2, n3)  bp = close - min(low, prev close), tr = max(high,
 *                   prev close) - min(low, prev close); a_i = sum bp /
 *                   sum tr over the i-th shortest period (0 when sum tr
 *                   is 0); 100 (4 a1 + 2 a2 + a3) / 7.  Warm-up the
 *                   longest period.  TA-Lib ULTOSC (which sorts the
 *                   periods too); TTR ultimateOscillator weighs them in
 *                   the order given.
 *  trix(x, n, sig) -> trix, signal
 *                   100 (e[t] / e[t-1] - 1) of e = ema(ema(ema(x, n), n),
 *                   n), and its ema over sig; both start with the signal.
 *                   Warm-up 3n+sig-3.  TTR TRIX (percent, EMA); TA-Lib
 *                   TRIX is the first output.
 *  vhf(x, n)        (max(x, n) - min(x, n)) / sum of the last n |x[t] -
 *                   x[t-1]|; NaN when that is 0.  Warm-up n.  TTR VHF on
 *                   one series.
 *  keltner(n, k=2) -> upper, middle, lower
 *                   ema(tp, n) +/- k atr(n).  Warm-up n.  TTR
 *                   keltnerChannels.
 *  snr(n)           |close[t] - close[t-n]| / atr(n); NaN when atr is 0.
 *                   Warm-up n.  TTR SNR.
 *  chaikin_vol(n)   e[t] / e[t-n] - 1 of e = ema(high - low, n), a
 *                   fraction; NaN on a zero base.  Warm-up 2n-1.  TTR
 *                   chaikinVolatility.
 *  williams_ad()    running total of close - min(low, prev close) on an up
 *                   close, close - max(high, prev close) on a down one, 0
 *                   when unchanged.  Warm-up 1.  TTR williamsAD.
 *  emv(n) -> emv, ma
 *                   (mid - prev mid) / ((volume / 10000) / (high - low)),
 *                   mid = (high + low) / 2, and its sma over n; NaN
 *                   without volume (TTR gives an infinity); both start
 *                   with the sma.  Warm-up n.  TTR EMV.
 *  adxr(n)          (adx[t] + adx[t-(n-1)]) / 2.  Warm-up 3n-2.  TA-Lib
 *                   ADXR.
 *  sar(accel=0.02, max=0.2)   TA-Lib's parabolic SAR on high and low (see
 *                   ind_trend.c for the start rule).  Warm-up 1.  TTR
 *                   SAR starts from a different first trend and extreme.
 *  kama(x, n)       k += sc (x - k) from k = x[n-1], sc = (er (2/3 - 2/31)
 *                   + 2/31)^2, er = |x[t] - x[t-n]| / sum of the last n
 *                   |changes| (1 when that is 0).  Warm-up n.  TA-Lib KAMA
 *                   (fast 2, slow 30); TA-Lib treats a change sum below
 *                   1e-8 as 0.
 *  t3(x, n, v=0.7)  Tillson's T3: six chained ema(n), each seeded with a
 *                   mean, combined with the volume factor v.  Warm-up
 *                   6(n-1).  TA-Lib T3.
 *  zlema(x, n)      ema over n (seeded with the mean of n values) of 2 x[t]
 *                   - x[t-(n+1)/2], a half-row lag interpolated.  Warm-up
 *                   n-1.  TTR ZLEMA.
 *  evwma(x, n)      e = ((V - v) e + v x) / V, V the volume of the last n
 *                   rows, from e = x at row n-1; a window without volume
 *                   keeps e (TTR's formula gives NaN from there on).
 *                   Warm-up n-1.  TTR EVWMA.
 *  vwma(x, n)       sum(x volume) / sum(volume) over n rows; NaN without
 *                   volume.  Warm-up n-1.  TTR VWMA.
 *  hma(x, n)        wma(2 wma(x, n/2) - wma(x, n), sqrt(n)), n/2 and
 *                   sqrt(n) rounded down; n >= 2.  Warm-up n+isqrt(n)-2.
 *                   TTR HMA.
 *  alma(x, n, offset=0.85, sigma=6)   weights exp(-(i - m)^2 / (2 s^2)),
 *                   i = 0 the oldest row, m = floor(offset (n-1)), s = n /
 *                   sigma, normalised.  O(n) per row, as cci.  Warm-up
 *                   n-1.  TTR ALMA.
 *  linearreg(x, n) -> value, slope, intercept, angle
 *                   the least-squares line through the last n values
 *                   against 0 (oldest) .. n-1: its value at n-1, slope,
 *                   value at 0, and atan(slope) in degrees; n >= 2.
 *                   Warm-up n-1.  TA-Lib LINEARREG, _SLOPE, _INTERCEPT,
 *                   _ANGLE.
 *  tsf(x, n)        that line's value at n, one row ahead.  Warm-up n-1.
 *                   TA-Lib TSF.
 *  smi(n, fast, slow, sig) -> smi, signal
 *                   with HH, LL over n rows, 100 E(close - (HH + LL) / 2)
 *                   / (E(HH - LL) / 2), E = ema(ema(., slow), fast), and
 *                   its ema over sig; both start with the signal; NaN
 *                   when the smoothed range is 0.  Warm-up
 *                   n+fast+slow+sig-4.  TTR SMI (whose first n-1 rows use
 *                   a partial window, so its early values differ).
 *  kst(x) -> kst, signal
 *                   100 sum_i i sma(log(x[t] / x[t-r_i]), n_i), r = 10,
 *                   15, 20, 30, n = 10, 10, 10, 15; signal its sma over 9;
 *                   both start with the signal.  Warm-up 52.  TTR KST with
 *                   its defaults (ROC "continuous").
 *  tdi(x, n) -> tdi, di
 *                   mom = x[t] - x[t-n], di = sum of n moms, tdi = |di| -
 *                   (sum of 2n |mom| - sum of n |mom|).  Warm-up 3n-1.
 *                   TTR TDI (multiple 2), which counts the first n moms
 *                   as 0 and so starts at row 2n-1 with partial sums.
 *  vol(n, method, periods=252)   TTR volatility(OHLC, n, calc, N =
 *                   periods) for method close, parkinson, garman_klass,
 *                   rogers_satchell, gk_yz, yang_zhang (formulas in
 *                   ind_range.c); method is a choice, written as its name
 *                   in a spec and passed as its index here.  Reads open,
 *                   high, low and close whatever the method.  Warm-up n-1;
 *                   n for gk_yz and yang_zhang (they read the previous
 *                   close).  close needs n >= 3 (n-1 returns, ddof 1),
 *                   yang_zhang n >= 2.  TTR's default N is 260.
 *
 * Rolling statistics (ind_rolling.c; window rule but ewm_std):
 *
 *  sum(x, n)        sum of the last n values.  Warm-up n-1.  TTR runSum.
 *  median(x, n)     the middle value, the mean of the middle two for even
 *                   n.  O(log n) a row (two indexed heaps).  Warm-up n-1.
 *                   TTR runMedian, pandas rolling median.
 *  quantile(x, n, q=0.5)   the q-quantile with linear interpolation
 *                   between order statistics (pandas, numpy), O(log n) a
 *                   row.  Warm-up n-1.
 *  mad(x, n)        1.4826 times the median of |x - median| over the
 *                   window.  O(n) a row.  Warm-up n-1.  TTR runMAD.
 *  skew(x, n), kurt(x, n)   the bias-corrected skewness sqrt(n (n-1)) /
 *                   (n-2) m3 / m2^1.5 and excess kurtosis ((n^2 - 1) m4 /
 *                   m2^2 - 3 (n-1)^2) / ((n-2)(n-3)) of pandas (and
 *                   scipy.stats with bias=False), from the exact central
 *                   moments, O(n) a row; NaN over a constant window; n >=
 *                   3 and n >= 4.  Warm-up n-1.  pandas' own rolling skew
 *                   and kurt use running power sums and can be off in the
 *                   fifth digit (kurt: the second) on prices.
 *  rank(x, n)       (values below x + (values equal, x included, + 1) / 2)
 *                   / n: the average rank of x in its window over n.  O(n)
 *                   a row.  Warm-up n-1.  pandas rolling rank(pct=True).
 *  pctrank(x, n)    (values below x + half the values equal, x included) /
 *                   n.  O(n) a row.  Warm-up n-1.  TTR runPercentRank,
 *                   which counts values within 1e-8 as equal.
 *  ewm_std(x, n)    the exponentially weighted standard deviation of
 *                   pandas x.ewm(span=n).std() (adjust, bias-corrected),
 *                   skipping missing rows as ignore_na=True does; n >= 2.
 *                   Warm-up 1.
 *
 * Constants: window lengths and lags are whole numbers from 1 to
 * PP_IND_NMAX (k for lag/diff/ret/logret too); bbands' k is any finite
 * number; ddof is 0 or 1.
 */
#ifndef PP_INDICATORS_H
#define PP_INDICATORS_H

#include <stddef.h>

#include "err.h"

#define PP_IND_NMAX 1000000	/* largest window or lag */
#define PP_IND_MAXPARAMS 4	/* most constant parameters of any function */
#define PP_IND_MAXIN 4		/* most step inputs (series + implicit) */
#define PP_IND_MAXOUT 4		/* most outputs of any function */

/* One constant parameter: its name and the values it accepts. */
struct pp_ind_param {
	const char *name;	/* "n", as in the signature */
	double min, max;	/* accepted range, inclusive */
	int whole;		/* 1 if it must be a whole number */
	double def;		/* default, used when the parameter is optional */
	const char *const *choices; /* NULL, or the names a spec writes for
				   0, 1, ... (NULL-terminated): vol's method */
};

struct pp_ind_def {
	const char *name;	/* "sma": TA-Lib's name, lowercase */
	const char *signature;	/* "stddev(x, n, ddof=1)" */
	int nseries;		/* series arguments (x, y), written first */
	const char *implicit;	/* columns read implicitly, "high,low,close";
				   NULL for none */
	int nimplicit;		/* how many names implicit lists */
	int nparams;		/* constant parameters, after the series */
	int nparams_min;	/* required ones; the rest take their def */
	const struct pp_ind_param *params; /* nparams entries */
	int noutputs;		/* 1 to 4 (stoch 2, macd 3, linearreg 4) */
	const char *const *outputs; /* part names ("upper"...), NULL if 1 */
	const char *formula;	/* one line for pp-features --list */
	/* A check across parameters (stddev: n >= 2 when ddof is 1) after
	 * each one passed its own; NULL if none.  0, or -1 with err set. */
	int (*check)(const double *params, struct pp_err *err);
	/* Leading NaN rows for input without missing values. */
	long (*warmup)(const double *params);
	/* Bytes of state, a multiple of 16. */
	size_t (*state_size)(const double *params);
	/* Set up state (state_size(params) bytes) for a new series.  Checks
	 * params as pp_ind_params does; returns 0, or -1 with err set. */
	int (*init)(void *state, const double *params, struct pp_err *err);
	/* Consume one row: in[0 .. nseries + nimplicit) -> out[0 ..
	 * noutputs).  Never fails; NaN in, per the rule above. */
	void (*step)(void *state, const double *in, double *out);
	const char *warmup_text; /* warmup() as a formula, "n-1", for --list */
};

/* The definition named name (exact, lowercase), or NULL. */
const struct pp_ind_def *pp_ind_find(const char *name);

/* All definitions, sorted by name; *n receives their count. */
const struct pp_ind_def *pp_ind_all(size_t *n);

/* The value of a parameter with choices written as name ("parkinson" for
 * vol's method: its index in p->choices), or -1 if p has no such choice. */
int pp_ind_choice(const struct pp_ind_param *p, const char *name);

/* Build def's full parameter vector params[0 .. def->nparams) from the
 * ngiven constants the user wrote (after the series arguments; a choice
 * as its index), filling omitted optional ones with their defaults, and
 * check every value.  Returns 0, or -1 with err set (PP_EXIT_USAGE) to one
 * of:
 *   "sma: wrong number of arguments, expected sma(x, n)"
 *   "sma: n must be a whole number from 1 to 1000000"
 *   "vol: method must be one of close, parkinson, ..."
 * state_size, warmup and init may only be given a vector that passed. */
int pp_ind_params(const struct pp_ind_def *def, const double *given,
    int ngiven, double *params, struct pp_err *err);

#endif
