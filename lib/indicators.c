/*
 * indicators.c - the table of indicator definitions and its look-ups.
 *
 * The functions themselves live in ind_shift.c (lag, diff...),
 * ind_window.c (rolling windows), ind_recursive.c (EMA and Wilder
 * families), ind_range.c (bar ranges and windows of extremes),
 * ind_volume.c (accumulation and volume), ind_momentum.c (oscillators
 * and directional movement), ind_trend.c (adaptive and weighted averages,
 * sar, regression lines), ind_rolling.c (rolling statistics: medians,
 * quantiles, moments, ranks) and ind_util.c (the shared window, deque and
 * EMA pieces).
 * This file is the one place that says what each is called, what it
 * takes and what it gives, like git's commands[].
 */
#include "indicators.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ind_impl.h"
#include "util.h"
#include "banned.h"

/* Parameter lists. */
static const struct pp_ind_param p_k1[] = { IND_K1("k") };
static const struct pp_ind_param p_n[] = { IND_N("n") };
static const struct pp_ind_param p_ddof[] = { IND_N("n"), IND_DDOF };
static const struct pp_ind_param p_bbands[] = {
	IND_N("n"), IND_REAL("k", 2)
};
static const struct pp_ind_param p_macd[] = {
	IND_N("fast"), IND_N("slow"), IND_N("sig")
};
static const struct pp_ind_param p_po[] = { IND_N("fast"), IND_N("slow") };
static const struct pp_ind_param p_keltner[] = {
	IND_N("n"), IND_REAL("k", 2)
};
static const struct pp_ind_param p_stochf[] = { IND_N("k"), IND_N("d") };
static const struct pp_ind_param p_stochrsi[] = {
	IND_N("n"), IND_N("k"), IND_N("d")
};
static const struct pp_ind_param p_trix[] = { IND_N("n"), IND_N("sig") };
static const struct pp_ind_param p_ultosc[] = {
	IND_N("n1"), IND_N("n2"), IND_N("n3")
};
static const struct pp_ind_param p_sar[] = {
	IND_REAL("accel", 0.02),
	IND_REAL("max", 0.2)
};
static const struct pp_ind_param p_t3[] = {
	IND_N("n"), IND_REAL("v", 0.7)
};
static const struct pp_ind_param p_alma[] = {
	IND_N("n"), IND_REAL("offset", 0.85),
	IND_REAL("sigma", 6)
};
static const struct pp_ind_param p_smi[] = {
	IND_N("n"), IND_N("fast"), IND_N("slow"), IND_N("sig")
};
static const char *const vol_methods[] = {
	"close", "parkinson", "garman_klass", "rogers_satchell", "gk_yz",
	"yang_zhang", NULL
};
static const struct pp_ind_param p_vol[] = {
	IND_N("n"), IND_CHOICE("method", vol_methods, 6),
	IND_REAL("periods", 252)
};
static const struct pp_ind_param p_quantile[] = {
	IND_N("n"), IND_REAL("q", 0.5)
};
static const struct pp_ind_param p_stoch[] = {
	IND_N("k"), IND_N("slowk"), IND_N("d")
};

static const char *const o_macd[] = { "macd", "signal", "hist" };
static const char *const o_bbands[] = { "upper", "middle", "lower" };
static const char *const o_stoch[] = { "k", "d" };
static const char *const o_aroon[] = { "up", "down", "osc" };
static const char *const o_emv[] = { "emv", "ma" };
static const char *const o_trix[] = { "trix", "signal" };
static const char *const o_kst[] = { "kst", "signal" };
static const char *const o_smi[] = { "smi", "signal" };
static const char *const o_tdi[] = { "tdi", "di" };
static const char *const o_linreg[] = { "value", "slope", "intercept",
	"angle" };

#define HLC "high,low,close", 3
#define HLCV "high,low,close,volume", 4
#define HL "high,low", 2
#define OHLC "open,high,low,close", 4

/* var, stddev, zscore: a window of n values has n - 1 degrees of freedom. */
static int
check_ddof(const double *p, struct pp_err *err)
{
	if (p[1] == 1 && p[0] < 2)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "n must be at least 2 when ddof is 1");
	return 0;
}

/* corr, beta: one pair has no spread. */
static int
check_n2(const double *p, struct pp_err *err)
{
	if (p[0] < 2)
		return pp_err_set(err, PP_EXIT_USAGE, "n must be at least 2");
	return 0;
}

/* sar: TA-Lib accepts any non-negative acceleration and maximum. */
static int
check_sar(const double *p, struct pp_err *err)
{
	if (!(p[0] >= 0 && p[1] >= 0))
		return pp_err_set(err, PP_EXIT_USAGE,
		    "accel and max must not be negative");
	return 0;
}

/* t3: TA-Lib's volume factor is from 0 to 1. */
static int
check_t3(const double *p, struct pp_err *err)
{
	if (!(p[1] >= 0 && p[1] <= 1))
		return pp_err_set(err, PP_EXIT_USAGE, "v must be from 0 to 1");
	return 0;
}

/* alma: as TTR's ALMA checks. */
static int
check_alma(const double *p, struct pp_err *err)
{
	if (!(p[1] >= 0 && p[1] <= 1))
		return pp_err_set(err, PP_EXIT_USAGE,
		    "offset must be from 0 to 1");
	if (!(p[2] > 0))
		return pp_err_set(err, PP_EXIT_USAGE, "sigma must be positive");
	return 0;
}

/* vol: sample statistics need their degrees of freedom. */
static int
check_vol(const double *p, struct pp_err *err)
{
	if (p[1] == IND_VOL_CLOSE && p[0] < 3)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "n must be at least 3 for method close");
	if (p[1] == IND_VOL_YZ && p[0] < 2)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "n must be at least 2 for method yang_zhang");
	if (!(p[2] > 0))
		return pp_err_set(err, PP_EXIT_USAGE,
		    "periods must be positive");
	return 0;
}

/* quantile: q is a probability. */
static int
check_q(const double *p, struct pp_err *err)
{
	if (!(p[1] >= 0 && p[1] <= 1))
		return pp_err_set(err, PP_EXIT_USAGE, "q must be from 0 to 1");
	return 0;
}

/* skew, kurt: the bias corrections divide by n-2 and n-3. */
static int
check_n3(const double *p, struct pp_err *err)
{
	if (p[0] < 3)
		return pp_err_set(err, PP_EXIT_USAGE, "n must be at least 3");
	return 0;
}

static int
check_n4(const double *p, struct pp_err *err)
{
	if (p[0] < 4)
		return pp_err_set(err, PP_EXIT_USAGE, "n must be at least 4");
	return 0;
}

#define FNS(nm) ind_##nm##_warmup, ind_##nm##_size, ind_##nm##_init, \
	ind_##nm##_step

/* Sorted by name: pp_ind_find searches it by bisection.  Columns: name,
 * signature, series, implicit columns and their count, parameters (most,
 * required, list), outputs (count, names), formula, cross check, entry
 * points, warm-up formula (macd's slow is the larger of fast and slow). */
static const struct pp_ind_def table[] = {
	{ "ad", "ad()", 0, HLCV, 0, 0, NULL, 1, NULL,
	    "running total of clv * volume (Chaikin A/D line)", NULL,
	    FNS(ad), "0" },
	{ "adosc", "adosc(fast, slow)", 0, HLCV, 2, 2, p_po, 1, NULL,
	    "ema(ad, fast) - ema(ad, slow), both seeded with the first ad",
	    NULL, FNS(adosc), "max(fast,slow)-1" },
	{ "adx", "adx(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "Wilder average of DX = 100 |+DI - -DI| / (+DI + -DI)", NULL,
	    FNS(adx), "2n-1" },
	{ "adxr", "adxr(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "(adx[t] + adx[t-(n-1)]) / 2", NULL, FNS(adxr), "3n-2" },
	{ "alma", "alma(x, n, offset=0.85, sigma=6)", 1, NULL, 0, 3, 1, p_alma,
	    1, NULL, "Gaussian-weighted average, peak at offset (n-1)",
	    check_alma, FNS(alma), "n-1" },
	{ "apo", "apo(x, fast, slow)", 1, NULL, 0, 2, 2, p_po, 1, NULL,
	    "sma(x, fast) - sma(x, slow)", NULL, FNS(apo), "slow-1" },
	{ "aroon", "aroon(n)", 0, HL, 1, 1, p_n, 3, o_aroon,
	    "100 (n - rows since the highest high / lowest low) / n, n+1 rows",
	    NULL, FNS(aroon), "n" },
	{ "atr", "atr(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "Wilder average (alpha 1/n) of the true range", NULL, FNS(atr), "n" },
	{ "bbands", "bbands(x, n, k=2)", 1, NULL, 0, 2, 1, p_bbands, 3,
	    o_bbands, "sma(x, n) +/- k * population stddev", NULL,
	    FNS(bbands), "n-1" },
	{ "beta", "beta(x, y, n)", 2, NULL, 0, 1, 1, p_n, 1, NULL,
	    "cov(x, y) / var(x) over n rows: slope of y on x", check_n2,
	    FNS(beta), "n-1" },
	{ "bop", "bop()", 0, OHLC, 0, 0, NULL, 1, NULL,
	    "(close - open) / (high - low); 0 unless high > low", NULL,
	    FNS(bop), "0" },
	{ "cci", "cci(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "(tp - sma(tp)) / (0.015 * mean absolute deviation), tp = hlc/3",
	    NULL, FNS(cci), "n-1" },
	{ "chaikin_vol", "chaikin_vol(n)", 0, HL, 1, 1, p_n, 1, NULL,
	    "e / e[t-n] - 1, e = ema(high - low, n)", NULL,
	    FNS(chaikin_vol), "2n-1" },
	{ "clv", "clv()", 0, HLC, 0, 0, NULL, 1, NULL,
	    "((close - low) - (high - close)) / (high - low); 0 unless high > low",
	    NULL, FNS(clv), "0" },
	{ "cmf", "cmf(n)", 0, HLCV, 1, 1, p_n, 1, NULL,
	    "sum(clv * volume) / sum(volume) over n rows", NULL, FNS(cmf),
	    "n-1" },
	{ "cmo", "cmo(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "100 (g - l) / (g + l), Wilder averages as rsi", NULL, FNS(cmo),
	    "n" },
	{ "corr", "corr(x, y, n)", 2, NULL, 0, 1, 1, p_n, 1, NULL,
	    "Pearson correlation of x and y over n rows", check_n2,
	    FNS(corr), "n-1" },
	{ "dema", "dema(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "2 ema(x, n) - ema(ema(x, n), n)", NULL, FNS(dema), "2(n-1)" },
	{ "diff", "diff(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t] - x[t-k]", NULL, FNS(diff), "k" },
	{ "donchian", "donchian(n)", 0, HL, 1, 1, p_n, 3, o_bbands,
	    "highest high, their mean, lowest low over n rows", NULL,
	    FNS(donchian), "n-1" },
	{ "dx", "dx(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "100 |+DI - -DI| / (+DI + -DI)", NULL, FNS(dx), "n" },
	{ "ema", "ema(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "e += 2/(n+1) (x - e), seeded with the mean of n values", NULL,
	    FNS(ema), "n-1" },
	{ "emv", "emv(n)", 0, "high,low,volume", 3, 1, 1, p_n, 2, o_emv,
	    "diff((high + low) / 2) / (volume / 10000 / (high - low)); sma",
	    NULL, FNS(emv), "n" },
	{ "evwma", "evwma(x, n)", 1, "volume", 1, 1, 1, p_n, 1, NULL,
	    "e = ((V - v) e + v x) / V, V the volume of n rows", NULL,
	    FNS(evwma), "n-1" },
	{ "ewm_std", "ewm_std(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "exponentially weighted std, span n, as pandas ewm(span=n).std()",
	    check_n2, FNS(ewm_std), "1" },
	{ "hma", "hma(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "wma(2 wma(x, n/2) - wma(x, n), sqrt(n))", check_n2, FNS(hma),
	    "n+isqrt(n)-2" },
	{ "kama", "kama(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "k += sc (x - k), sc from the efficiency ratio over n rows", NULL,
	    FNS(kama), "n" },
	{ "keltner", "keltner(n, k=2)", 0, HLC, 2, 1, p_keltner, 3, o_bbands,
	    "ema(tp, n) +/- k * atr(n)", NULL, FNS(keltner), "n" },
	{ "kst", "kst(x)", 1, NULL, 0, 0, 0, NULL, 2, o_kst,
	    "100 sum i sma(logret(x, r_i), n_i), r 10 15 20 30, n 10 10 10 15",
	    NULL, FNS(kst), "52" },
	{ "kurt", "kurt(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "excess kurtosis of the last n values, bias-corrected (pandas)",
	    check_n4, FNS(kurt), "n-1" },
	{ "lag", "lag(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t-k]", NULL, FNS(lag), "k" },
	{ "linearreg", "linearreg(x, n)", 1, NULL, 0, 1, 1, p_n, 4, o_linreg,
	    "least-squares line over n rows: end value, slope, start, degrees",
	    check_n2, FNS(linearreg), "n-1" },
	{ "logret", "logret(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "log(x[t] / x[t-k]); NaN unless both > 0", NULL, FNS(logret), "k" },
	{ "macd", "macd(x, fast, slow, sig)", 1, NULL, 0, 3, 3, p_macd, 3,
	    o_macd, "ema(x, fast) - ema(x, slow); signal = ema(macd, sig)",
	    NULL, FNS(macd), "slow+sig-2" },
	{ "mad", "mad(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "1.4826 median |x - median(x, n)| over n rows (TTR runMAD)", NULL,
	    FNS(mad), "n-1" },
	{ "max", "max(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "highest of the last n values", NULL, FNS(max), "n-1" },
	{ "median", "median(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "median of the last n values", NULL, FNS(median), "n-1" },
	{ "mfi", "mfi(n)", 0, HLCV, 1, 1, p_n, 1, NULL,
	    "100 pos / (pos + neg) money flow (tp * volume) over n rows",
	    NULL, FNS(mfi), "n" },
	{ "midpoint", "midpoint(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "(max(x, n) + min(x, n)) / 2", NULL, FNS(midpoint), "n-1" },
	{ "midprice", "midprice(n)", 0, HL, 1, 1, p_n, 1, NULL,
	    "(highest high + lowest low) / 2 over n rows", NULL,
	    FNS(midprice), "n-1" },
	{ "min", "min(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "lowest of the last n values", NULL, FNS(min), "n-1" },
	{ "minus_di", "minus_di(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "100 Wilder sum of -DM / Wilder sum of true range", NULL,
	    FNS(minus_di), "n" },
	{ "minus_dm", "minus_dm(n)", 0, HL, 1, 1, p_n, 1, NULL,
	    "Wilder sum of the down moves -DM", NULL, FNS(minus_dm),
	    "max(n-1,1)" },
	{ "mom", "mom(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "x[t] - x[t-n]", NULL, FNS(mom), "n" },
	{ "natr", "natr(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "100 atr(n) / close", NULL, FNS(natr), "n" },
	{ "obv", "obv()", 0, "close,volume", 2, 0, 0, NULL, 1, NULL,
	    "running total of volume signed by the close's move", NULL,
	    FNS(obv), "0" },
	{ "pctrank", "pctrank(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "(values below x + half of those equal) / n (TTR runPercentRank)",
	    NULL, FNS(pctrank), "n-1" },
	{ "plus_di", "plus_di(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "100 Wilder sum of +DM / Wilder sum of true range", NULL,
	    FNS(plus_di), "n" },
	{ "plus_dm", "plus_dm(n)", 0, HL, 1, 1, p_n, 1, NULL,
	    "Wilder sum of the up moves +DM", NULL, FNS(plus_dm),
	    "max(n-1,1)" },
	{ "ppo", "ppo(x, fast, slow)", 1, NULL, 0, 2, 2, p_po, 1, NULL,
	    "100 (sma(x, fast) - sma(x, slow)) / sma(x, slow)", NULL,
	    FNS(ppo), "slow-1" },
	{ "quantile", "quantile(x, n, q=0.5)", 1, NULL, 0, 2, 1, p_quantile, 1,
	    NULL, "q-quantile of the last n values, linear interpolation",
	    check_q, FNS(quantile), "n-1" },
	{ "rank", "rank(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "average rank of x among the last n values, over n (pandas)", NULL,
	    FNS(rank), "n-1" },
	{ "ret", "ret(x, k=1)", 1, NULL, 0, 1, 0, p_k1, 1, NULL,
	    "x[t] / x[t-k] - 1; NaN if x[t-k] = 0", NULL, FNS(ret), "k" },
	{ "roc", "roc(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "100 * (x[t] / x[t-n] - 1); NaN if x[t-n] = 0", NULL, FNS(roc), "n" },
	{ "rocp", "rocp(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "(x[t] - x[t-n]) / x[t-n]; NaN if x[t-n] = 0", NULL, FNS(rocp),
	    "n" },
	{ "rocr", "rocr(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "x[t] / x[t-n]; NaN if x[t-n] = 0", NULL, FNS(rocr), "n" },
	{ "rsi", "rsi(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "100 g / (g + l), Wilder averages of gains and losses", NULL,
	    FNS(rsi), "n" },
	{ "sar", "sar(accel=0.02, max=0.2)", 0, HL, 2, 0, p_sar, 1, NULL,
	    "parabolic stop and reverse", check_sar, FNS(sar), "1" },
	{ "skew", "skew(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "skewness of the last n values, bias-corrected (pandas)", check_n3,
	    FNS(skew), "n-1" },
	{ "sma", "sma(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "mean of the last n values", NULL, FNS(sma), "n-1" },
	{ "smi", "smi(n, fast, slow, sig)", 0, HLC, 4, 4, p_smi, 2, o_smi,
	    "100 ema2(close - (HH+LL)/2) / (ema2(HH - LL) / 2); signal ema",
	    NULL, FNS(smi), "n+fast+slow+sig-4" },
	{ "snr", "snr(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "|close - close[t-n]| / atr(n)", NULL, FNS(snr), "n" },
	{ "stddev", "stddev(x, n, ddof=1)", 1, NULL, 0, 2, 1, p_ddof, 1, NULL,
	    "sqrt(var(x, n, ddof))", check_ddof, FNS(stddev), "n-1" },
	{ "stoch", "stoch(k, slowk, d)", 0, HLC, 3, 3, p_stoch, 2, o_stoch,
	    "k = sma(100 (close - LL) / (HH - LL), slowk); d = sma(k, d)",
	    NULL, FNS(stoch), "k+slowk+d-3" },
	{ "stochf", "stochf(k, d)", 0, HLC, 2, 2, p_stochf, 2, o_stoch,
	    "k = 100 (close - LL) / (HH - LL) over k rows; d = sma(k, d)",
	    NULL, FNS(stochf), "k+d-2" },
	{ "stochrsi", "stochrsi(x, n, k, d)", 1, NULL, 0, 3, 3, p_stochrsi, 2,
	    o_stoch, "stochf(k, d) of rsi(x, n) as high, low and close", NULL,
	    FNS(stochrsi), "n+k+d-2" },
	{ "sum", "sum(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "sum of the last n values", NULL, FNS(sum), "n-1" },
	{ "t3", "t3(x, n, v=0.7)", 1, NULL, 0, 2, 1, p_t3, 1, NULL,
	    "Tillson: six chained ema(n) combined with volume factor v",
	    check_t3, FNS(t3), "6(n-1)" },
	{ "tdi", "tdi(x, n)", 1, NULL, 0, 1, 1, p_n, 2, o_tdi,
	    "|di| - (sum 2n |mom| - sum n |mom|), di = sum n mom(x, n)", NULL,
	    FNS(tdi), "3n-1" },
	{ "tema", "tema(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "3 e1 - 3 e2 + e3, each ema(previous, n)", NULL, FNS(tema), "3(n-1)" },
	{ "trange", "trange()", 0, HLC, 0, 0, NULL, 1, NULL,
	    "max(high, previous close) - min(low, previous close)", NULL,
	    FNS(trange), "1" },
	{ "trima", "trima(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "triangular average: sma of sma, weights 1, 2, .., 2, 1", NULL,
	    FNS(trima), "n-1" },
	{ "trix", "trix(x, n, sig)", 1, NULL, 0, 2, 2, p_trix, 2, o_trix,
	    "100 * one-row change of ema(ema(ema(x, n))); signal ema(trix, sig)",
	    NULL, FNS(trix), "3n+sig-3" },
	{ "tsf", "tsf(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "least-squares line over n rows, one row ahead", check_n2,
	    FNS(tsf), "n-1" },
	{ "ultosc", "ultosc(n1, n2, n3)", 0, HLC, 3, 3, p_ultosc, 1, NULL,
	    "100 (4 a1 + 2 a2 + a3) / 7, a = sum bp / sum tr per period",
	    NULL, FNS(ultosc), "max(n1,max(n2,n3))" },
	{ "var", "var(x, n, ddof=1)", 1, NULL, 0, 2, 1, p_ddof, 1, NULL,
	    "sum (x - mean)^2 / (n - ddof) over n rows", check_ddof,
	    FNS(var), "n-1" },
	{ "vhf", "vhf(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "(max(x, n) - min(x, n)) / sum of n |changes|", NULL, FNS(vhf),
	    "n" },
	{ "vol", "vol(n, method, periods=252)", 0, OHLC, 3, 2, p_vol, 1, NULL,
	    "annualised volatility: close, parkinson, garman_klass, ...",
	    check_vol, FNS(vol), "n-1; n for gk_yz, yang_zhang" },
	{ "vwap", "vwap(n)", 0, HLCV, 1, 1, p_n, 1, NULL,
	    "sum(tp * volume) / sum(volume) over n rows, tp = hlc/3", NULL,
	    FNS(vwap), "n-1" },
	{ "vwma", "vwma(x, n)", 1, "volume", 1, 1, 1, p_n, 1, NULL,
	    "sum(x * volume) / sum(volume) over n rows", NULL, FNS(vwma),
	    "n-1" },
	{ "williams_ad", "williams_ad()", 0, HLC, 0, 0, NULL, 1, NULL,
	    "running total of close - true low (up) or true high (down)",
	    NULL, FNS(williams_ad), "1" },
	{ "willr", "willr(n)", 0, HLC, 1, 1, p_n, 1, NULL,
	    "-100 (HH - close) / (HH - LL) over n rows", NULL, FNS(willr), "n-1" },
	{ "wma", "wma(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "sum i x[t-n+i] / (n (n+1) / 2), i = 1..n", NULL, FNS(wma), "n-1" },
	{ "zlema", "zlema(x, n)", 1, NULL, 0, 1, 1, p_n, 1, NULL,
	    "ema(2 x[t] - x[t-(n+1)/2], n)", NULL, FNS(zlema), "n-1" },
	{ "zscore", "zscore(x, n, ddof=1)", 1, NULL, 0, 2, 1, p_ddof, 1, NULL,
	    "(x - sma(x, n)) / stddev(x, n, ddof)", check_ddof,
	    FNS(zscore), "n-1" },
};

const struct pp_ind_def *
pp_ind_all(size_t *n)
{
	*n = PP_ARRAY_SIZE(table);
	return table;
}

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pp_ind_def *)elem)->name);
}

const struct pp_ind_def *
pp_ind_find(const char *name)
{
	return bsearch(name, table, PP_ARRAY_SIZE(table), sizeof(table[0]),
	    cmp_name);
}

int
pp_ind_choice(const struct pp_ind_param *p, const char *name)
{
	int i;

	for (i = 0; p->choices != NULL && p->choices[i] != NULL; i++)
		if (strcmp(p->choices[i], name) == 0)
			return i;
	return -1;
}

static int
check_one(const struct pp_ind_def *def, const struct pp_ind_param *p,
    double v, struct pp_err *err)
{
	if (v >= p->min && v <= p->max && (!p->whole || v == floor(v)))
		return 0;
	if (p->choices != NULL) {
		struct pp_buf b = PP_BUF_INIT;
		int i, rc;

		for (i = 0; p->choices[i] != NULL; i++)
			pp_buf_addf(&b, "%s%s", i ? ", " : "", p->choices[i]);
		rc = pp_err_set(err, PP_EXIT_USAGE, "%s: %s must be one of %s",
		    def->name, p->name, b.data);
		pp_buf_release(&b);
		return rc;
	}
	if (!p->whole)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "%s: %s must be a finite number", def->name, p->name);
	if (p->min == 0 && p->max == 1)
		return pp_err_set(err, PP_EXIT_USAGE, "%s: %s must be 0 or 1",
		    def->name, p->name);
	return pp_err_set(err, PP_EXIT_USAGE,
	    "%s: %s must be a whole number from %.0f to %.0f", def->name,
	    p->name, p->min, p->max);
}

int
ind_check_params(const struct pp_ind_def *def, const double *params,
    struct pp_err *err)
{
	int i;

	for (i = 0; i < def->nparams; i++)
		if (check_one(def, &def->params[i], params[i], err) == -1)
			return -1;
	if (def->check && def->check(params, err) == -1)
		return pp_err_prefix(err, "%s", def->name);
	return 0;
}

int
ind_check(const char *name, const double *params, struct pp_err *err)
{
	const struct pp_ind_def *def = pp_ind_find(name);

	if (def == NULL)
		return pp_err_set(err, PP_EXIT_USAGE, "unknown function \"%s\"",
		    name);
	return ind_check_params(def, params, err);
}

int
pp_ind_params(const struct pp_ind_def *def, const double *given, int ngiven,
    double *params, struct pp_err *err)
{
	int i;

	if (ngiven < def->nparams_min || ngiven > def->nparams)
		return pp_err_set(err, PP_EXIT_USAGE,
		    "%s: wrong number of arguments, expected %s", def->name,
		    def->signature);
	for (i = 0; i < def->nparams; i++)
		params[i] = i < ngiven ? given[i] : def->params[i].def;
	return ind_check_params(def, params, err);
}
