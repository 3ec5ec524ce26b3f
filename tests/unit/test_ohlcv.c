/*
 * test_ohlcv.c - normalised bars: validation, symbols, --map, layout
 * detection, rows from frame cells, the frame-to-bars reader and the
 * sorter.
 *
 * Plan: tables of {input, expected} for pp_ohlcv_check (NaN, -0, 0, inf,
 * 1e308, subnormal, boundaries), symbol lists, symbols from file names,
 * --map specs, and header -> layout/columns; CSV snippets of every layout
 * through pp_ohlcv_in (dates in every accepted shape, --adjust, --skip-bad,
 * --start/--end, missing symbol); the sorter on ordered input (streams,
 * stays out of memory), shuffled input (sorted), exact duplicates
 * (dropped) and conflicts (errors naming both places), in both modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "ohlcv.h"
#include "banned.h"

static int64_t
day(const char *s)
{
	int64_t v;

	assert_int_equal(pp_date_parse(s, strlen(s), &v), 0);
	return v;
}

static void
test_check(void **state)
{
	static const struct {
		double o, h, l, c, v;
		const char *msg;	/* NULL: valid */
	} rows[] = {
		{ 10, 11, 9, 10.5, 100, NULL },
		{ 10, 10, 10, 10, 0, NULL },		/* flat bar, no volume */
		{ 10, 10, 10, 10, -0.0, NULL },		/* -0 volume is 0 */
		{ 1e308, 1e308, 1e308, 1e308, 1e308, NULL },
		{ 4.9e-324, 4.9e-324, 4.9e-324, 4.9e-324, 0, NULL },
		{ 10, 11, 9, 10.5, 0.5, NULL },		/* fractional volume */
		{ NAN, 11, 9, 10, 1, "open: missing" },
		{ 10, NAN, 9, 10, 1, "high: missing" },
		{ 10, 11, NAN, 10, 1, "low: missing" },
		{ 10, 11, 9, NAN, 1, "close: missing" },
		{ 0, 11, 9, 10, 1, "open 0: not a positive price" },
		{ -0.0, 11, 9, 10, 1, "open -0: not a positive price" },
		{ 10, 11, -1, 10, 1, "low -1: not a positive price" },
		{ 10, INFINITY, 9, 10, 1, "high inf: not a positive price" },
		{ 10, 11, 9, -INFINITY, 1, "close -inf: not a positive price" },
		{ 10, 9.5, 9, 9, 1, "high 9.5: below max(open, close) 10" },
		{ 9, 9.5, 9, 10, 1, "high 9.5: below max(open, close) 10" },
		{ 10, 11, 10.5, 11, 1, "low 10.5: above min(open, close) 10" },
		{ 12, 13, 11.5, 11, 1, "low 11.5: above min(open, close) 11" },
		{ 10, 11, 9, 10, NAN, "volume: missing" },
		{ 10, 11, 9, 10, -1, "volume -1: not a finite count >= 0" },
		{ 10, 11, 9, 10, INFINITY,
		    "volume inf: not a finite count >= 0" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;
		struct pp_ohlcv_row r = { "X", 1, 0, rows[i].o, rows[i].h,
			rows[i].l, rows[i].c, rows[i].v };
		int rc = pp_ohlcv_check(&r, &err);

		if (rows[i].msg == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].msg);
			assert_int_equal(err.code, PP_EXIT_DATA);
		}
	}
}

static void
test_symbols(void **state)
{
	static const struct {
		const char *list;
		const char *joined;	/* sorted, ' '-joined; NULL: error */
		const char *msg;
	} rows[] = {
		{ "AAPL", "AAPL", NULL },
		{ "MSFT,AAPL,^GSPC,BRK-B", "AAPL BRK-B MSFT ^GSPC", NULL },
		{ "EURUSD=X,aapl.us", "EURUSD=X aapl.us", NULL },
		{ "", NULL, "empty symbol list" },
		{ "A,,B", NULL, "bad symbol \"\"" },
		{ "A,", NULL, "bad symbol \"\"" },
		{ "A B", NULL, "bad symbol \"A B\"" },
		{ "A\tB", NULL, "bad symbol \"A\tB\"" },
		{ "B,A,B", NULL, "symbol \"B\" given twice" },
		{ "x12345678901234567890123456789012345678901234567890123456"
		    "78901234", NULL, "bad symbol \"x123456789012345678901234567"
		    "890123456789\"" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_err err = PP_ERR_INIT;
		char **v;
		size_t n;
		char buf[256] = "";
		size_t len = 0;
		int rc = pp_ohlcv_symbols(rows[i].list, &v, &n, &err);

		if (rows[i].joined == NULL) {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].msg);
			assert_int_equal(err.code, PP_EXIT_USAGE);
			assert_null(v);
			continue;
		}
		assert_int_equal(rc, 0);
		for (k = 0; k < n; k++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s%s", k ? " " : "", v[k]);
		assert_string_equal(buf, rows[i].joined);
		pp_ohlcv_symbols_free(v, n);
	}
	/* 64 bytes is the longest symbol. */
	assert_true(pp_ohlcv_symbol_ok("x123456789012345678901234567890123456"
	    "789012345678901234567890123", 64));
	assert_false(pp_ohlcv_symbol_ok("A,B", 3));
	assert_false(pp_ohlcv_symbol_ok("A\x7f", 2));
	assert_true(pp_ohlcv_symbol_ok("\xc3\xa9t\xc3\xa9", 5));
}

static void
test_symbol_from_path(void **state)
{
	static const struct {
		const char *path, *sym;
	} rows[] = {
		{ "AAPL.csv", "AAPL" },
		{ "data/AAPL.csv", "AAPL" },
		{ "/x/y/aapl.us.txt", "aapl.us" },
		{ "MSFT", "MSFT" },
		{ ".hidden", ".hidden" },
		{ "dir.d/IBM", "IBM" },
		{ "MSFT.csv.gz", "MSFT" },
		{ "d/aapl.us.txt.gz", "aapl.us" },
		{ "msft (1).csv", "msft" },
		{ "msft(12).csv", "msft" },
		{ "dl/MSFT (3).csv.gz", "MSFT" },
		{ "msft ().csv", NULL },	/* a space: not a symbol */
		{ "(1).csv", "(1)" },
		{ "BRK-B.csv", "BRK-B" },
		{ "-", NULL },
		{ NULL, NULL },
		{ "a dir/my file.csv", NULL },
		{ "dir/", NULL },
		{ "x,y.csv", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *s = pp_ohlcv_symbol_from_path(rows[i].path);

		if (rows[i].sym == NULL) {
			assert_null(s);
		} else {
			assert_non_null(s);
			assert_string_equal(s, rows[i].sym);
		}
		free(s);
	}
}

static void
test_map_parse(void **state)
{
	static const struct {
		const char *spec;
		const char *msg;	/* NULL: ok */
	} rows[] = {
		{ "date=Day,close=Last", NULL },
		{ "volume=Vol.,adjclose=Adj", NULL },
		{ "close=A,close=Last", NULL },		/* the later wins */
		{ "close", "bad mapping \"close\": want FIELD=COLUMN" },
		{ "close=", "bad mapping \"close=\": want FIELD=COLUMN" },
		{ "close=a=b", "bad mapping \"close=a=b\": want FIELD=COLUMN" },
		{ "date=D,", "bad mapping \"\": want FIELD=COLUMN" },
		{ "", "bad mapping \"\": want FIELD=COLUMN" },
		{ "price=X", "unknown field \"price\": want symbol, date, open, "
		    "high, low, close, adjclose or volume" },
		{ "=X", "unknown field \"\": want symbol, date, open, high, "
		    "low, close, adjclose or volume" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_ohlcv_map m = PP_OHLCV_MAP_INIT;
		struct pp_err err = PP_ERR_INIT;
		int rc = pp_ohlcv_map_parse(&m, rows[i].spec, &err);

		if (rows[i].msg == NULL) {
			assert_int_equal(rc, 0);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, rows[i].msg);
			assert_int_equal(err.code, PP_EXIT_USAGE);
		}
		pp_ohlcv_map_release(&m);
	}
	{
		struct pp_ohlcv_map m = PP_OHLCV_MAP_INIT;
		struct pp_err err = PP_ERR_INIT;

		assert_int_equal(pp_ohlcv_map_parse(&m, "close=A,close=Last",
		    &err), 0);
		assert_int_equal(pp_ohlcv_map_parse(&m, "date=Day", &err), 0);
		assert_string_equal(m.col[PP_OF_CLOSE], "Last");
		assert_string_equal(m.col[PP_OF_DATE], "Day");
		assert_null(m.col[PP_OF_OPEN]);
		pp_ohlcv_map_release(&m);
		pp_ohlcv_map_release(&m);
	}
}

/* Schema from a comma-separated header (all float64: resolve looks only
 * at names). */
static void
make_schema(struct pp_schema *s, const char *header)
{
	struct pp_err err = PP_ERR_INIT;
	const char *p = header;

	pp_schema_init(s);
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[64];

		assert_true(n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		assert_int_equal(pp_schema_add(s, name, PP_T_F64, &err), 0);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static void
test_resolve(void **state)
{
	static const struct {
		const char *header;
		const char *map;	/* or NULL */
		int adj;
		const char *layout;	/* NULL: error */
		long cols[PP_OF_N];	/* symbol date o h l c adj vol */
		const char *msg;
	} rows[] = {
		{ "Date,Open,High,Low,Close,Adj Close,Volume", NULL, 1,
		    "yahoo", { -1, 0, 1, 2, 3, 4, 5, 6 }, NULL },
		{ "Date,Open,High,Low,Close,Volume", NULL, 0, "stooq",
		    { -1, 0, 1, 2, 3, 4, -1, 5 }, NULL },
		{ "Date,Open,High,Low,Close", NULL, 0, "stooq",
		    { -1, 0, 1, 2, 3, 4, -1, -1 }, NULL },
		{ "timestamp,open,high,low,close,volume", NULL, 0,
		    "alphavantage", { -1, 0, 1, 2, 3, 4, -1, 5 }, NULL },
		{ "symbol,date,open,high,low,close,volume", NULL, 0, "frame",
		    { 0, 1, 2, 3, 4, 5, -1, 6 }, NULL },
		{ "symbol,date,open,high,low,close,volume,r1", NULL, 0, "frame",
		    { 0, 1, 2, 3, 4, 5, -1, 6 }, NULL },
		{ "Data,Otwarcie,Najwyzszy,Najnizszy,Zamkniecie,Wolumen", NULL,
		    0, "other", { -1, 0, 1, 2, 3, 4, -1, 5 }, NULL },
		{ "VOLUME,CLOSE,LOW,HIGH,OPEN,DATE,TICKER", NULL, 0, "other",
		    { 6, 5, 4, 3, 2, 1, -1, 0 }, NULL },
		{ "Day,O,H,L,Last,Vol", "date=Day,open=O,high=H,low=L,close=Last",
		    0, "other", { -1, 0, 1, 2, 3, 4, -1, 5 }, NULL },
		/* --map wins over a column found by name. */
		{ "Date,Open,High,Low,Close,Adj Close,Volume",
		    "close=Adj Close", 0, "yahoo", { -1, 0, 1, 2, 3, 5, 5, 6 },
		    NULL },
		{ "date,Open,High,Low,Close", "date=DATE", 0, "other",
		    { -1, 0, 1, 2, 3, 4, -1, -1 }, NULL },
		{ "Date,Open,High,Low,Close,Volume", NULL, 1, NULL, { 0 },
		    "no column for \"adjclose\" (use --map adjclose=NAME)" },
		{ "When,Open,High,Low,Close", NULL, 0, NULL, { 0 },
		    "no column for \"date\" (use --map date=NAME)" },
		{ "Date,Open,High,Low,Last", NULL, 0, NULL, { 0 },
		    "no column for \"close\" (use --map close=NAME)" },
		{ "Date,Open,High,Low,Close", "close=Last", 0, NULL, { 0 },
		    "--map close=Last: no column \"Last\"" },
		{ "x", NULL, 0, NULL, { 0 },
		    "no column for \"date\" (use --map date=NAME)" },
	};
	size_t i, f;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pp_ohlcv_map m = PP_OHLCV_MAP_INIT;
		struct pp_schema s;
		struct pp_ohlcv_cols c;
		struct pp_err err = PP_ERR_INIT;
		int rc;

		make_schema(&s, rows[i].header);
		if (rows[i].map)
			assert_int_equal(pp_ohlcv_map_parse(&m, rows[i].map,
			    &err), 0);
		rc = pp_ohlcv_resolve(&s, &m, rows[i].adj, &c, &err);
		if (rc != (rows[i].layout ? 0 : -1))
			fail_msg("%s: returned %d (%s)", rows[i].header, rc,
			    err.msg);
		if (rows[i].layout == NULL) {
			assert_string_equal(err.msg, rows[i].msg);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(pp_ohlcv_layout_name(c.layout),
			    rows[i].layout);
			for (f = 0; f < PP_OF_N; f++)
				if (c.col[f] != rows[i].cols[f])
					fail_msg("%s: field %s: column %ld, "
					    "want %ld", rows[i].header,
					    pp_ohlcv_field_name(f), c.col[f],
					    rows[i].cols[f]);
		}
		pp_ohlcv_map_release(&m);
		pp_schema_release(&s);
	}
}

/* Everything pp_ohlcv_in makes of a CSV text, one line per bar
 * ("SYM DATE o h l c v"), then "skipped N: FIRST" or "error: MSG". */
static void
bars(const char *csv, const struct pp_ohlcv_in_opts *o, const char *want)
{
	struct pp_err err = PP_ERR_INIT;
	FILE *fp = fmemopen((void *)csv, strlen(csv), "rb");
	struct pp_reader *r;
	struct pp_ohlcv_in *in = NULL;
	struct pp_ohlcv_row row;
	char *out = NULL;
	size_t len = 0;
	FILE *os = open_memstream(&out, &len);
	int rc;

	assert_non_null(fp);
	r = pp_reader_fopen(fp, "t.csv", NULL, &err);
	if (r != NULL)
		in = pp_ohlcv_in_new(r, o, &err);
	if (in != NULL) {
		while ((rc = pp_ohlcv_in_next(in, &row, &err)) == 1) {
			char d[PP_DATE_BUFSZ];

			pp_date_fmt(d, row.date);
			fprintf(os, "%.*s %s %.17g %.17g %.17g %.17g %.17g\n",
			    (int)row.symlen, row.sym, d, row.open, row.high,
			    row.low, row.close, row.volume);
		}
		if (rc == 0 && pp_ohlcv_in_skipped(in) > 0)
			fprintf(os, "skipped %zu: %s\n",
			    pp_ohlcv_in_skipped(in), pp_ohlcv_in_first_skip(in));
	}
	if (err.code != 0)
		fprintf(os, "error: %s\n", err.msg);
	fclose(os);
	assert_string_equal(out, want);
	free(out);
	pp_ohlcv_in_free(in);
	pp_reader_free(r);
	fclose(fp);
}

static void
test_in_layouts(void **state)
{
	struct pp_ohlcv_in_opts o = PP_OHLCV_IN_OPTS_INIT;
	struct pp_ohlcv_map m = PP_OHLCV_MAP_INIT;
	struct pp_err err = PP_ERR_INIT;

	(void)state;
	o.fallback = "F";
	bars("Date,Open,High,Low,Close,Adj Close,Volume\n"
	    "2024-01-02,10,11,9,10.5,5.25,100\n"
	    "2024-01-03,10.5,12,10,11,5.5,200\n", &o,
	    "F 2024-01-02 10 11 9 10.5 100\n"
	    "F 2024-01-03 10.5 12 10 11 200\n");
	o.adjust = 1;
	bars("Date,Open,High,Low,Close,Adj Close,Volume\n"
	    "2024-01-02,10,11,9,10.5,5.25,100\n", &o,
	    "F 2024-01-02 5 5.5 4.5 5.25 100\n");
	bars("Date,Open,High,Low,Close,Adj Close,Volume\n"
	    "2024-01-02,10,11,9,10.5,0,100\n", &o,
	    "error: t.csv:2: adjclose 0: cannot adjust (want adjclose and "
	    "close > 0)\n");
	bars("Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1\n",
	    &o, "error: t.csv: no column for \"adjclose\" (use --map "
	    "adjclose=NAME)\n");
	o.adjust = 0;
	/* Alpha Vantage: newest first comes out as it is (the sorter
	 * orders it). */
	bars("timestamp,open,high,low,close,volume\n"
	    "2024-01-03,10.5,12,10,11,200\n"
	    "2024-01-02,10,11,9,10.5,100\n", &o,
	    "F 2024-01-03 10.5 12 10 11 200\n"
	    "F 2024-01-02 10 11 9 10.5 100\n");
	/* Our frame: the symbol column; --symbol overrides it. */
	bars("symbol,date,open,high,low,close,volume\n"
	    "A,2024-01-02,10,11,9,10.5,100\nB,2024-01-02,1,1,1,1,0\n", &o,
	    "A 2024-01-02 10 11 9 10.5 100\nB 2024-01-02 1 1 1 1 0\n");
	o.symbol = "S";
	bars("symbol,date,open,high,low,close,volume\n"
	    "A,2024-01-02,10,11,9,10.5,100\n", &o,
	    "S 2024-01-02 10 11 9 10.5 100\n");
	o.symbol = NULL;
	bars("symbol,date,open,high,low,close,volume\n"
	    "A B,2024-01-02,10,11,9,10.5,100\n", &o,
	    "error: t.csv:2: column \"symbol\": bad symbol \"A B\"\n");
	/* Stooq without volume: volume 0; compact dates. */
	bars("Date,Open,High,Low,Close\n20240102,10,11,9,10.5\n", &o,
	    "F 2024-01-02 10 11 9 10.5 0\n");
	/* A layout of its own through --map; date-times at midnight. */
	assert_int_equal(pp_ohlcv_map_parse(&m, "date=Day,close=Last", &err),
	    0);
	o.map = &m;
	bars("Day,Open,High,Low,Last\n2024-01-02T00:00:00Z,10,11,9,10.5\n",
	    &o, "F 2024-01-02 10 11 9 10.5 0\n");
	bars("Day,Open,High,Low,Last\n2024-01-02T10:00:00Z,10,11,9,10.5\n",
	    &o, "error: t.csv:2: column \"Day\": \"2024-01-02T10:00:00Z\" is "
	    "not a daily date (not midnight UTC; --intraday reads times of "
	    "day)\n");
	bars("Day,Open,High,Low,Last\n2024-01-02,10,11,9,10.5\n"
	    "2024-01-03,1,2,x,1\n", &o,
	    "F 2024-01-02 10 11 9 10.5 0\n"
	    "error: t.csv:3: column \"Low\": not a number \"x\"\n");
	o.map = NULL;
	pp_ohlcv_map_release(&m);
	/* No symbol anywhere. */
	o.fallback = NULL;
	bars("Date,Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n", &o,
	    "error: t.csv: no symbol (use --symbol or a symbol column)\n");
}

static void
test_in_bad_rows(void **state)
{
	static const char csv[] =
	    "Date,Open,High,Low,Close,Volume\n"
	    "2024-01-02,10,11,9,10.5,100\n"
	    "2024-01-03,10,9,9,10.5,100\n"	/* high below close */
	    "2024-13-01,10,11,9,10.5,100\n"	/* no such date */
	    "2024-01-04,10,11,9,10.5\n"		/* ragged */
	    "2024-01-05,null,11,9,10.5,100\n"	/* Yahoo's missing day */
	    "2024-01-08,10,11,9,10.5,-5\n"
	    "2024-01-09,10,11,9,10.5,7\n";
	struct pp_ohlcv_in_opts o = PP_OHLCV_IN_OPTS_INIT;

	(void)state;
	o.fallback = "F";
	bars(csv, &o, "F 2024-01-02 10 11 9 10.5 100\n"
	    "error: t.csv:3: high 9: below max(open, close) 10.5\n");
	o.skip_bad = 1;
	bars(csv, &o, "F 2024-01-02 10 11 9 10.5 100\n"
	    "F 2024-01-09 10 11 9 10.5 7\n"
	    "skipped 5: t.csv:3: high 9: below max(open, close) 10.5\n");
	/* The range is applied before validation: bad rows outside it do
	 * not matter. */
	o.skip_bad = 0;
	o.start = day("2024-01-09");
	bars(csv, &o, "error: t.csv:4: column \"Date\": bad date "
	    "\"2024-13-01\"\n");
	o.start = day("2024-01-01");
	o.end = day("2024-01-02");
	bars(csv, &o, "F 2024-01-02 10 11 9 10.5 100\n"
	    "error: t.csv:4: column \"Date\": bad date \"2024-13-01\"\n");
	o.skip_bad = 1;
	bars(csv, &o, "F 2024-01-02 10 11 9 10.5 100\n"
	    "skipped 2: t.csv:4: column \"Date\": bad date \"2024-13-01\"\n");
	bars("Date,Open,High,Low,Close\n", &o, "");
}

/* A sorter fed rows "SYM DATE CLOSE" (other prices follow close). */
struct feed {
	const char *sym, *date;
	double close;
	const char *src;
	long line;
};

static char *
sorted(const struct feed *f, size_t n, int *in_memory, size_t *dups)
{
	struct pp_ohlcv_sorter *s = pp_ohlcv_sorter_new();
	struct pp_err err = PP_ERR_INIT;
	struct pp_ohlcv_row r;
	char *out = NULL;
	size_t len = 0, i;
	FILE *os = open_memstream(&out, &len);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		r.sym = f[i].sym;
		r.symlen = strlen(f[i].sym);
		r.date = day(f[i].date);
		r.open = r.high = r.low = r.close = f[i].close;
		r.volume = 1;
		rc = pp_ohlcv_sorter_add(s, &r, f[i].src, f[i].line, &err);
	}
	if (rc == 0)
		rc = pp_ohlcv_sorter_finish(s, &err);
	while (rc == 0 && (rc = pp_ohlcv_sorter_next(s, &r, &err)) == 1) {
		char d[PP_DATE_BUFSZ];

		pp_date_fmt(d, r.date);
		fprintf(os, "%.*s %s %g\n", (int)r.symlen, r.sym, d, r.close);
		rc = 0;
	}
	if (err.code != 0)
		fprintf(os, "error: %s\n", err.msg);
	fclose(os);
	*in_memory = pp_ohlcv_sorter_in_memory(s);
	*dups = pp_ohlcv_sorter_dups(s);
	pp_ohlcv_sorter_free(s);
	return out;
}

static void
test_sorter(void **state)
{
	static const struct feed ordered[] = {
		{ "A", "2024-01-02", 1, "a", 2 },
		{ "A", "2024-01-03", 2, "a", 3 },
		{ "A", "2024-01-03", 2, "a", 4 },	/* exact duplicate */
		{ "AA", "2024-01-01", 3, "b", 2 },
		{ "B", "2023-01-01", 4, "b", 3 },
	};
	static const struct feed shuffled[] = {
		{ "B", "2023-01-01", 4, "b", 3 },
		{ "A", "2024-01-03", 2, "a", 3 },
		{ "AA", "2024-01-01", 3, "b", 2 },
		{ "A", "2024-01-02", 1, "a", 2 },
		{ "A", "2024-01-03", 2, "c", 9 },	/* exact duplicate */
	};
	static const char want[] =
	    "A 2024-01-02 1\nA 2024-01-03 2\nAA 2024-01-01 3\nB 2023-01-01 4\n";
	static const struct feed conflict_ordered[] = {
		{ "A", "2024-01-02", 1, "a", 2 },
		{ "A", "2024-01-02", 1.5, "a", 3 },
	};
	static const struct feed conflict_shuffled[] = {
		{ "A", "2024-01-03", 1, "a", 2 },
		{ "A", "2024-01-02", 1, "a", 3 },
		{ "A", "2024-01-02", 1, "b", 7 },
		{ "A", "2024-01-03", 1.5, "b", 8 },
	};
	int mem;
	size_t dups;
	char *out;

	(void)state;
	out = sorted(ordered, 5, &mem, &dups);
	assert_string_equal(out, want);
	assert_int_equal(mem, 0);
	assert_int_equal(dups, 1);
	free(out);
	out = sorted(shuffled, 5, &mem, &dups);
	assert_string_equal(out, want);
	assert_int_equal(mem, 1);
	assert_int_equal(dups, 1);
	free(out);
	out = sorted(conflict_ordered, 2, &mem, &dups);
	assert_string_equal(out, "error: a:3: \"A\" 2024-01-02: conflicts "
	    "with a:2 (other values)\n");
	free(out);
	out = sorted(conflict_shuffled, 4, &mem, &dups);
	assert_string_equal(out, "error: b:8: \"A\" 2024-01-03: conflicts "
	    "with a:2 (other values)\n");
	assert_int_equal(mem, 1);
	free(out);
	out = sorted(NULL, 0, &mem, &dups);
	assert_string_equal(out, "");
	free(out);
}

/* Many rows, half of them arriving out of order: the spill is read back
 * into memory and every row still comes out, once, in order. */
static void
test_sorter_many(void **state)
{
	struct pp_ohlcv_sorter *s = pp_ohlcv_sorter_new();
	struct pp_err err = PP_ERR_INIT;
	struct pp_ohlcv_row r;
	char sym[8];
	int64_t prev = -1;
	size_t i, n = 0;
	const size_t nrows = 30000;

	(void)state;
	r.open = r.high = r.low = r.close = 1;
	r.volume = 0;
	for (i = 0; i < nrows; i++) {
		size_t k = i < nrows / 2 ? i : nrows - 1 - (i - nrows / 2);

		snprintf(sym, sizeof(sym), "S%zu", k / 10000);
		r.sym = sym;
		r.symlen = strlen(sym);
		r.date = (int64_t)(k % 10000);
		assert_int_equal(pp_ohlcv_sorter_add(s, &r, "x", (long)i,
		    &err), 0);
		assert_int_equal(pp_ohlcv_sorter_in_memory(s), i > nrows / 2);
	}
	assert_int_equal(pp_ohlcv_sorter_finish(s, &err), 0);
	while (pp_ohlcv_sorter_next(s, &r, &err) == 1) {
		int64_t key = (int64_t)(r.sym[1] - '0') * 10000 + r.date;

		assert_true(key > prev);
		prev = key;
		n++;
	}
	assert_int_equal(n, nrows);
	assert_int_equal(err.code, 0);
	pp_ohlcv_sorter_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_symbol_from_path),
		cmocka_unit_test(test_map_parse),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_in_layouts),
		cmocka_unit_test(test_in_bad_rows),
		cmocka_unit_test(test_sorter),
		cmocka_unit_test(test_sorter_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
