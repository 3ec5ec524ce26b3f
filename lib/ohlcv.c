/*
 * ohlcv.c - daily bars from any layout into one normalised shape: symbol
 * lists, column maps recognised from headers, row checks, and the sorter.
 * The one idea: rows are validated and mapped one at a time as they are
 * read, and the sorter (below) keeps memory bounded by spilling to a
 * binary frame when input is out of order.
 */
#include "ohlcv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "num.h"
#include "util.h"
#include "banned.h"

/* Longest piece of a bad cell quoted in a message. */
#define QUOTE_MAX 40

void
pp_ohlcv_schema(struct pp_schema *s)
{
	static const char *const names[PP_OHLCV_NCOLS] = {
		"symbol", "date", "open", "high", "low", "close", "volume"
	};
	struct pp_err err = PP_ERR_INIT;
	size_t i;

	pp_schema_release(s);
	pp_schema_init(s);
	for (i = 0; i < PP_OHLCV_NCOLS; i++)
		pp_schema_add(s, names[i], i == 0 ? PP_T_TEXT :
		    i == 1 ? PP_T_DATE : PP_T_F64, &err);
}

void
pp_ohlcv_schema_intraday(struct pp_schema *s)
{
	pp_ohlcv_schema(s);
	s->cols[1].type = PP_T_DATETIME;
}

void
pp_ohlcv_to_cells(const struct pp_ohlcv_row *r,
    union pp_cell cells[PP_OHLCV_NCOLS])
{
	cells[0].s.p = r->sym;
	cells[0].s.len = r->symlen;
	cells[1].i = r->date;
	cells[2].f = r->open;
	cells[3].f = r->high;
	cells[4].f = r->low;
	cells[5].f = r->close;
	cells[6].f = r->volume;
}

static int
bad_price(const char *name, double x, struct pp_err *err)
{
	char b[PP_DBL_BUFSZ];

	if (isnan(x))
		return pp_err_set(err, PP_EXIT_DATA, "%s: missing", name);
	if (!(x > 0) || isinf(x)) {
		pp_fmt_double(b, x);
		return pp_err_set(err, PP_EXIT_DATA,
		    "%s %s: not a positive price", name, b);
	}
	return 0;
}

int
pp_ohlcv_check(const struct pp_ohlcv_row *r, struct pp_err *err)
{
	char a[PP_DBL_BUFSZ], b[PP_DBL_BUFSZ];

	if (bad_price("open", r->open, err) == -1 ||
	    bad_price("high", r->high, err) == -1 ||
	    bad_price("low", r->low, err) == -1 ||
	    bad_price("close", r->close, err) == -1)
		return -1;
	if (r->high < r->open || r->high < r->close) {
		pp_fmt_double(a, r->high);
		pp_fmt_double(b, r->open > r->close ? r->open : r->close);
		return pp_err_set(err, PP_EXIT_DATA,
		    "high %s: below max(open, close) %s", a, b);
	}
	if (r->low > r->open || r->low > r->close) {
		pp_fmt_double(a, r->low);
		pp_fmt_double(b, r->open < r->close ? r->open : r->close);
		return pp_err_set(err, PP_EXIT_DATA,
		    "low %s: above min(open, close) %s", a, b);
	}
	if (isnan(r->volume))
		return pp_err_set(err, PP_EXIT_DATA, "volume: missing");
	if (!(r->volume >= 0) || isinf(r->volume)) {
		pp_fmt_double(a, r->volume);
		return pp_err_set(err, PP_EXIT_DATA,
		    "volume %s: not a finite count >= 0", a);
	}
	return 0;
}

int
pp_ohlcv_symbol_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == ',' || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
pp_ohlcv_symbols(const char *list, char ***syms, size_t *n,
    struct pp_err *err)
{
	char **v = NULL;
	size_t nv = 0, cap = 0, i;
	const char *p = list, *comma;

	*syms = NULL;
	*n = 0;
	if (*list == '\0')
		return pp_err_set(err, PP_EXIT_USAGE, "empty symbol list");
	for (;;) {
		size_t len;

		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (!pp_ohlcv_symbol_ok(p, len)) {
			pp_err_set(err, PP_EXIT_USAGE, "bad symbol \"%.*s\"",
			    (int)(len > QUOTE_MAX ? QUOTE_MAX : len), p);
			goto fail;
		}
		pp_xgrow((void **)&v, &cap, nv + 1, sizeof(*v));
		v[nv++] = pp_xstrndup(p, len);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	qsort(v, nv, sizeof(*v), cmp_strp);
	for (i = 1; i < nv; i++)
		if (strcmp(v[i - 1], v[i]) == 0) {
			pp_err_set(err, PP_EXIT_USAGE,
			    "symbol \"%s\" given twice", v[i]);
			goto fail;
		}
	*syms = v;
	*n = nv;
	return 0;
fail:
	pp_ohlcv_symbols_free(v, nv);
	return -1;
}

void
pp_ohlcv_symbols_free(char **syms, size_t n)
{
	size_t i;

	if (syms == NULL)
		return;
	for (i = 0; i < n; i++)
		free(syms[i]);
	free(syms);
}

/*
 * A browser saves a second download of msft.csv as "msft (1).csv": the
 * copy number is not part of the name.  Returns len without a trailing
 * " (N)" or "(N)".
 */
static size_t
drop_copy_number(const char *s, size_t len)
{
	size_t i = len;

	if (i < 3 || s[i - 1] != ')')
		return len;
	for (i--; i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'; i--)
		;
	if (i == len - 1 || i < 2 || s[i - 1] != '(')
		return len;
	i--;
	while (i > 0 && s[i - 1] == ' ')
		i--;
	return i > 0 ? i : len;
}

/* The last path component of path. */
static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int
pp_ohlcv_symbol_by_re(const char *path, const regex_t *re, char **sym,
    struct pp_err *err)
{
	const char *base = base_name(path);
	regmatch_t m[2];
	size_t g;

	*sym = NULL;
	if (regexec(re, base, 2, m, 0) != 0)
		return pp_err_set(err, PP_EXIT_DATA, "--symbol-from-name: no "
		    "match in \"%s\"", base);
	g = re->re_nsub > 0 && m[1].rm_so != -1 ? 1 : 0;
	if (!pp_ohlcv_symbol_ok(base + m[g].rm_so,
	    (size_t)(m[g].rm_eo - m[g].rm_so)))
		return pp_err_set(err, PP_EXIT_DATA, "--symbol-from-name: "
		    "\"%.*s\" from \"%s\" is not a symbol",
		    (int)(m[g].rm_eo - m[g].rm_so), base + m[g].rm_so, base);
	*sym = pp_xstrndup(base + m[g].rm_so,
	    (size_t)(m[g].rm_eo - m[g].rm_so));
	return 0;
}

char *
pp_ohlcv_symbol_from_path(const char *path)
{
	const char *base, *dot;
	size_t len;

	if (path == NULL || strcmp(path, "-") == 0)
		return NULL;
	base = base_name(path);
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".gz") == 0)
		len -= 3;	/* MSFT.csv.gz is MSFT, as MSFT.csv */
	for (dot = base + len; dot > base && dot[-1] != '.'; dot--)
		;
	if (dot > base + 1)
		len = (size_t)(dot - 1 - base);
	len = drop_copy_number(base, len);
	if (!pp_ohlcv_symbol_ok(base, len))
		return NULL;
	return pp_xstrndup(base, len);
}

static const char *const field_names[PP_OF_N] = {
	"symbol", "date", "open", "high", "low", "close", "adjclose", "volume"
};

const char *
pp_ohlcv_field_name(enum pp_ohlcv_field f)
{
	return (unsigned)f < PP_OF_N ? field_names[f] : "?";
}

int
pp_ohlcv_map_parse(struct pp_ohlcv_map *m, const char *spec,
    struct pp_err *err)
{
	const char *p = spec;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen, f;

		if (eq == NULL)
			return pp_err_set(err, PP_EXIT_USAGE,
			    "bad mapping \"%.*s\": want FIELD=COLUMN",
			    (int)(len > QUOTE_MAX ? QUOTE_MAX : len), p);
		klen = (size_t)(eq - p);
		for (f = 0; f < PP_OF_N; f++)
			if (strlen(field_names[f]) == klen &&
			    memcmp(field_names[f], p, klen) == 0)
				break;
		if (f == PP_OF_N)
			return pp_err_set(err, PP_EXIT_USAGE,
			    "unknown field \"%.*s\": want symbol, date, open, "
			    "high, low, close, adjclose or volume",
			    (int)(klen > QUOTE_MAX ? QUOTE_MAX : klen), p);
		if (eq + 1 == p + len || memchr(eq + 1, '=', len - klen - 1))
			return pp_err_set(err, PP_EXIT_USAGE,
			    "bad mapping \"%.*s\": want FIELD=COLUMN",
			    (int)(len > QUOTE_MAX ? QUOTE_MAX : len), p);
		free(m->col[f]);
		m->col[f] = pp_xstrndup(eq + 1, len - klen - 1);
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

void
pp_ohlcv_map_release(struct pp_ohlcv_map *m)
{
	size_t f;

	for (f = 0; f < PP_OF_N; f++) {
		free(m->col[f]);
		m->col[f] = NULL;
	}
}

const char *
pp_ohlcv_layout_name(enum pp_ohlcv_layout l)
{
	switch (l) {
	case PP_LAYOUT_FRAME:
		return "frame";
	case PP_LAYOUT_YAHOO:
		return "yahoo";
	case PP_LAYOUT_STOOQ:
		return "stooq";
	case PP_LAYOUT_ALPHAVANTAGE:
		return "alphavantage";
	case PP_LAYOUT_OTHER:
		return "other";
	}
	return "?";
}

/* Column names each field is found by (case ignored), in preference
 * order; NULL-terminated.  The Polish names are Stooq's. */
static const char *const aliases[PP_OF_N][7] = {
	[PP_OF_SYMBOL] = { "symbol", "ticker", NULL },
	[PP_OF_DATE] = { "date", "timestamp", "time", "day", "data", NULL },
	[PP_OF_OPEN] = { "open", "otwarcie", NULL },
	[PP_OF_HIGH] = { "high", "najwyzszy", NULL },
	[PP_OF_LOW] = { "low", "najnizszy", NULL },
	[PP_OF_CLOSE] = { "close", "zamkniecie", NULL },
	[PP_OF_ADJCLOSE] = { "adj close", "adj_close", "adjclose",
	    "adjusted_close", "adjusted close", NULL },
	[PP_OF_VOLUME] = { "volume", "vol", "wolumen", NULL },
};

/* The exact headers of the known layouts. */
static const struct {
	enum pp_ohlcv_layout layout;
	size_t n;		/* columns that must match, in order */
	int prefix;		/* 1: more columns may follow */
	const char *names[7];
} layouts[] = {
	{ PP_LAYOUT_YAHOO, 7, 0, { "Date", "Open", "High", "Low", "Close",
	    "Adj Close", "Volume" } },
	{ PP_LAYOUT_STOOQ, 6, 0, { "Date", "Open", "High", "Low", "Close",
	    "Volume" } },
	{ PP_LAYOUT_STOOQ, 5, 0, { "Date", "Open", "High", "Low", "Close" } },
	{ PP_LAYOUT_ALPHAVANTAGE, 6, 0, { "timestamp", "open", "high", "low",
	    "close", "volume" } },
	{ PP_LAYOUT_FRAME, 7, 1, { "symbol", "date", "open", "high", "low",
	    "close", "volume" } },
};

static enum pp_ohlcv_layout
name_layout(const struct pp_schema *s)
{
	size_t i, j;

	for (i = 0; i < PP_ARRAY_SIZE(layouts); i++) {
		if (s->ncols < layouts[i].n ||
		    (!layouts[i].prefix && s->ncols != layouts[i].n))
			continue;
		for (j = 0; j < layouts[i].n; j++)
			if (strcmp(s->cols[j].name, layouts[i].names[j]) != 0)
				break;
		if (j == layouts[i].n)
			return layouts[i].layout;
	}
	return PP_LAYOUT_OTHER;
}

static long
find_col(const struct pp_schema *s, const char *name, int fold)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if ((fold ? strcasecmp : strcmp)(s->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

int
pp_ohlcv_resolve(const struct pp_schema *s, const struct pp_ohlcv_map *m,
    int need_adjclose, struct pp_ohlcv_cols *out, struct pp_err *err)
{
	size_t f, a;

	for (f = 0; f < PP_OF_N; f++) {
		const char *want = m ? m->col[f] : NULL;
		long c = -1;

		if (want != NULL) {
			c = find_col(s, want, 0);
			if (c == -1)
				c = find_col(s, want, 1);
			if (c == -1)
				return pp_err_set(err, PP_EXIT_DATA,
				    "--map %s=%s: no column \"%s\"",
				    field_names[f], want, want);
		}
		for (a = 0; c == -1 && aliases[f][a] != NULL; a++)
			c = find_col(s, aliases[f][a], 1);
		out->col[f] = c;
		out->date_fmt = NULL;
		out->intraday = 0;
		out->tz = NULL;
		if (c == -1 && (f == PP_OF_DATE || f == PP_OF_OPEN ||
		    f == PP_OF_HIGH || f == PP_OF_LOW || f == PP_OF_CLOSE ||
		    (f == PP_OF_ADJCLOSE && need_adjclose)))
			return pp_err_set(err, PP_EXIT_DATA,
			    "no column for \"%s\" (use --map %s=NAME)",
			    field_names[f], field_names[f]);
	}
	out->layout = name_layout(s);
	return 0;
}

/* Up to QUOTE_MAX bytes of a text cell, cut before a UTF-8 continuation
 * byte and shown, not raw: a control byte or a NUL in a provider's file
 * must not tear the message.  b is initialised; the caller releases it. */
static void
add_cell(struct pp_buf *b, const union pp_cell *cell)
{
	size_t n = cell->s.len > QUOTE_MAX ? QUOTE_MAX : cell->s.len;

	while (n > 0 && n < cell->s.len &&
	    ((unsigned char)cell->s.p[n] & 0xc0) == 0x80)
		n--;
	pp_buf_addshown(b, cell->s.p, n);
}

static int
cell_error(struct pp_err *err, const struct pp_col *col, const char *what,
    const union pp_cell *cell)
{
	if (col->type == PP_T_TEXT) {
		struct pp_buf b = PP_BUF_INIT;

		add_cell(&b, cell);
		pp_err_set(err, PP_EXIT_DATA, "column \"%s\": %s \"%s\"",
		    col->name, what, b.data);
		pp_buf_release(&b);
		return -1;
	}
	return pp_err_set(err, PP_EXIT_DATA, "column \"%s\": %s", col->name,
	    what);
}

#define USEC_PER_DAY INT64_C(86400000000)

/* A whole number YYYYMMDD as a date. */
static int
compact_date(int64_t v, int64_t *days)
{
	char b[PP_DBL_BUFSZ];
	size_t n;

	if (v < 10000101 || v > 99991231)
		return -1;
	n = pp_fmt_int64(b, v);
	return pp_date_parse(b, n, days);
}

/* Seconds since the epoch as the UTC day they fall on. */
static int
epoch_day(double sec, int64_t *days)
{
	double d;

	if (!(sec == sec) || fabs(sec) > 2.5e11)	/* years 0001..9999 */
		return -1;
	d = floor(sec / 86400);
	*days = (int64_t)d;
	return 0;
}

/*
 * A date in the layout --date-format names: epoch seconds from a number
 * (or its text), else the format applied to the text (a number, read as a
 * CSV float, is its digits: 20240102 for %Y%m%d).
 */
static int
get_date_fmt(const struct pp_col *col, const union pp_cell *cell,
    const char *fmt, int64_t *days, struct pp_err *err)
{
	char b[PP_DBL_BUFSZ];
	const char *s = b;
	size_t n;
	double x;

	switch (col->type) {
	case PP_T_DATE:
		*days = cell->i;	/* ISO already: no doubt left */
		return 0;
	case PP_T_TEXT:
		if (pp_is_missing(cell->s.p, cell->s.len))
			return pp_err_set(err, PP_EXIT_DATA,
			    "column \"%s\": missing date", col->name);
		s = cell->s.p;
		n = cell->s.len;
		break;
	case PP_T_F64:
	case PP_T_I64:
		x = pp_cell_num(col->type, cell);
		if (isnan(x))
			return pp_err_set(err, PP_EXIT_DATA,
			    "column \"%s\": missing date", col->name);
		if (strcmp(fmt, PP_DATE_EPOCH) == 0)
			return epoch_day(x, days) == 0 ? 0 :
			    cell_error(err, col, "bad date", cell);
		if (x != floor(x) || fabs(x) > 1e15)
			return cell_error(err, col, "bad date", cell);
		n = pp_fmt_int64(b, (int64_t)x);
		break;
	default:
		return cell_error(err, col, "bad date", cell);
	}
	if (strcmp(fmt, PP_DATE_EPOCH) == 0) {
		if (pp_parse_double(s, n, &x) == 0 && epoch_day(x, days) == 0)
			return 0;
	} else if (pp_date_parse_fmt(s, n, fmt, days) == 0) {
		return 0;
	}
	return cell_error(err, col, "bad date", cell);
}

static int
get_date(const struct pp_col *col, const union pp_cell *cell,
    const char *fmt, int64_t *days, struct pp_err *err)
{
	int64_t us;

	if (fmt != NULL)
		return get_date_fmt(col, cell, fmt, days, err);
	switch (col->type) {
	case PP_T_DATE:
		*days = cell->i;
		return 0;
	case PP_T_DATETIME:
		us = cell->i;
		goto datetime;
	case PP_T_TEXT:
		if (pp_is_missing(cell->s.p, cell->s.len))
			return pp_err_set(err, PP_EXIT_DATA,
			    "column \"%s\": missing date", col->name);
		if (pp_date_parse(cell->s.p, cell->s.len, days) == 0)
			return 0;
		if (pp_datetime_parse(cell->s.p, cell->s.len, &us) == 0)
			goto datetime;
		/* 01/31/2024 or 31.01.2024: another layout, not a bad day */
		if (memchr(cell->s.p, '/', cell->s.len) != NULL ||
		    memchr(cell->s.p, '.', cell->s.len) != NULL) {
			struct pp_buf b = PP_BUF_INIT;

			add_cell(&b, cell);
			pp_err_set(err, PP_EXIT_DATA, "column \"%s\": bad date "
			    "\"%s\": another layout? give --date-format",
			    col->name, b.data);
			pp_buf_release(&b);
			return -1;
		}
		return cell_error(err, col, "bad date", cell);
	case PP_T_I64:
		if (compact_date(cell->i, days) == 0)
			return 0;
		return cell_error(err, col, "bad date", cell);
	case PP_T_F64:
		if (isnan(cell->f))
			return pp_err_set(err, PP_EXIT_DATA,
			    "column \"%s\": missing date", col->name);
		if (cell->f == floor(cell->f) && fabs(cell->f) < 1e15 &&
		    compact_date((int64_t)cell->f, days) == 0)
			return 0;
		return cell_error(err, col, "bad date", cell);
	}
	return cell_error(err, col, "bad date", cell);
datetime:
	if (us % USEC_PER_DAY != 0) {
		char b[PP_DATE_BUFSZ];

		pp_datetime_fmt(b, us);
		return pp_err_set(err, PP_EXIT_DATA, "column \"%s\": \"%s\" is "
		    "not a daily date (not midnight UTC; --intraday reads "
		    "times of day)", col->name, b);
	}
	*days = us / USEC_PER_DAY;
	return 0;
}

/*
 * An intraday bar's time in microseconds: ISO 8601 with an offset as
 * written, without one at UTC + tz_us (--tz); a date alone, or the layout
 * of --date-format, is midnight UTC; epoch seconds keep their fraction.
 */
static int
get_time(const struct pp_col *col, const union pp_cell *cell,
    const struct pp_ohlcv_cols *c, int64_t *us, struct pp_err *err)
{
	int64_t days;
	double sec;

	if (c->date_fmt != NULL && strcmp(c->date_fmt, PP_DATE_EPOCH) == 0 &&
	    col->type != PP_T_DATE) {
		sec = pp_cell_num(col->type, cell);
		if (col->type == PP_T_TEXT && pp_parse_double(cell->s.p,
		    cell->s.len, &sec) == -1)
			sec = NAN;
		if (!(fabs(sec) <= 2.5e11))
			return cell_error(err, col, "bad date", cell);
		*us = llround(sec * 1e6);
		return 0;
	}
	if (col->type == PP_T_TEXT && c->date_fmt == NULL &&
	    pp_datetime_parse(cell->s.p, cell->s.len, us) == 0) {
		if (!pp_datetime_has_zone(cell->s.p, cell->s.len) &&
		    c->tz != NULL)
			*us = pp_tz_to_utc(c->tz, *us);
		return 0;
	}
	if (col->type == PP_T_DATETIME) {
		*us = cell->i;
		return 0;
	}
	if (get_date(col, cell, c->date_fmt, &days, err) == -1)
		return -1;
	*us = days * USEC_PER_DAY;
	return 0;
}

/* t within the days [start, end]: in days, or for intraday bars in
 * microseconds (the end day whole). */
static int
in_range(const struct pp_ohlcv_cols *c, int64_t t, int64_t start,
    int64_t end)
{
	if (!c->intraday)
		return t >= start && t <= end;
	return (start == PP_OHLCV_NO_START || t >= start * USEC_PER_DAY) &&
	    (end == PP_OHLCV_NO_END || t < (end + 1) * USEC_PER_DAY);
}

static int
get_num(const struct pp_col *col, const union pp_cell *cell, double *x,
    struct pp_err *err)
{
	switch (col->type) {
	case PP_T_F64:
		*x = cell->f;
		return 0;
	case PP_T_I64:
		*x = (double)cell->i;
		return 0;
	case PP_T_TEXT:
		if (pp_parse_double(cell->s.p, cell->s.len, x) == 0)
			return 0;
		return cell_error(err, col, "not a number", cell);
	default:
		return pp_err_set(err, PP_EXIT_DATA, "column \"%s\": not a "
		    "number but a %s", col->name, pp_type_name(col->type));
	}
}

int
pp_ohlcv_from_cells(const struct pp_ohlcv_cols *c, const struct pp_schema *s,
    const union pp_cell *cells, const char *sym, int64_t start, int64_t end,
    int adjust, struct pp_ohlcv_row *row, struct pp_err *err)
{
	static const enum pp_ohlcv_field price[4] = {
		PP_OF_OPEN, PP_OF_HIGH, PP_OF_LOW, PP_OF_CLOSE
	};
	double v[4], adj = NAN;
	long k;
	int i;

	k = c->col[PP_OF_DATE];
	if ((c->intraday ? get_time(&s->cols[k], &cells[k], c, &row->date,
	    err) : get_date(&s->cols[k], &cells[k], c->date_fmt, &row->date,
	    err)) == -1)
		return -1;
	if (!in_range(c, row->date, start, end))
		return 0;
	if (sym != NULL) {
		row->sym = sym;
		row->symlen = strlen(sym);
	} else {
		k = c->col[PP_OF_SYMBOL];
		if (s->cols[k].type != PP_T_TEXT)
			return pp_err_set(err, PP_EXIT_DATA, "column \"%s\": "
			    "symbols must be text", s->cols[k].name);
		if (!pp_ohlcv_symbol_ok(cells[k].s.p, cells[k].s.len))
			return cell_error(err, &s->cols[k], "bad symbol",
			    &cells[k]);
		row->sym = cells[k].s.p;
		row->symlen = cells[k].s.len;
	}
	for (i = 0; i < 4; i++) {
		k = c->col[price[i]];
		if (get_num(&s->cols[k], &cells[k], &v[i], err) == -1)
			return -1;
	}
	row->volume = 0;
	k = c->col[PP_OF_VOLUME];
	if (k >= 0 && get_num(&s->cols[k], &cells[k], &row->volume, err) == -1)
		return -1;
	if (adjust) {
		char b[PP_DBL_BUFSZ];

		k = c->col[PP_OF_ADJCLOSE];
		if (get_num(&s->cols[k], &cells[k], &adj, err) == -1)
			return -1;
		if (!(adj > 0) || isinf(adj) || !(v[3] > 0) || isinf(v[3])) {
			pp_fmt_double(b, adj);
			return pp_err_set(err, PP_EXIT_DATA, "adjclose %s: "
			    "cannot adjust (want adjclose and close > 0)", b);
		}
		/* Multiplying each price by the same factor is monotone, so
		 * high >= max(open, close) survives it. */
		adj /= v[3];
		for (i = 0; i < 4; i++)
			v[i] *= adj;
	}
	row->open = v[0];
	row->high = v[1];
	row->low = v[2];
	row->close = v[3];
	if (pp_ohlcv_check(row, err) == -1)
		return -1;
	return 1;
}

struct pp_ohlcv_in {
	struct pp_reader *r;	/* not owned */
	const struct pp_schema *schema;
	struct pp_ohlcv_cols cols;
	char *sym;		/* fixed symbol, or NULL: the column's */
	int adjust;
	int skip_bad;
	int64_t start, end;
	size_t skipped;
	char first_skip[PP_ERR_MSGMAX];
};

struct pp_ohlcv_in *
pp_ohlcv_in_new(struct pp_reader *r, const struct pp_ohlcv_in_opts *o,
    struct pp_err *err)
{
	struct pp_ohlcv_in *in = pp_xcalloc(1, sizeof(*in));

	in->r = r;
	in->schema = pp_reader_schema(r);
	in->adjust = o->adjust;
	in->skip_bad = o->skip_bad;
	in->start = o->start;
	in->end = o->end;
	if (pp_ohlcv_resolve(in->schema, o->map, o->adjust, &in->cols,
	    err) == -1)
		goto fail;
	in->cols.date_fmt = o->date_fmt;
	in->cols.intraday = o->intraday;
	in->cols.tz = o->tz;
	if (o->symbol != NULL)
		in->sym = pp_xstrdup(o->symbol);
	else if (in->cols.col[PP_OF_SYMBOL] == -1 && o->fallback != NULL)
		in->sym = pp_xstrdup(o->fallback);
	else if (in->cols.col[PP_OF_SYMBOL] == -1) {
		pp_err_set(err, PP_EXIT_DATA,
		    "no symbol (use --symbol or a symbol column)");
		goto fail;
	}
	return in;
fail:
	pp_err_prefix(err, "%s", pp_reader_name(r));
	pp_ohlcv_in_free(in);
	return NULL;
}

static void
count_skip(struct pp_ohlcv_in *in, struct pp_err *err)
{
	if (in->skipped++ == 0)
		memcpy(in->first_skip, err->msg, sizeof(in->first_skip));
	pp_err_clear(err);
}

int
pp_ohlcv_in_next(struct pp_ohlcv_in *in, struct pp_ohlcv_row *row,
    struct pp_err *err)
{
	const union pp_cell *cells;
	int rc;

	for (;;) {
		rc = pp_reader_next(in->r, &cells, err);
		if (rc == 0)
			return 0;
		if (rc == -1) {
			if (in->skip_bad && err->code != 0 &&
			    pp_reader_can_skip(in->r)) {
				count_skip(in, err);
				continue;
			}
			return -1;
		}
		rc = pp_ohlcv_from_cells(&in->cols, in->schema, cells, in->sym,
		    in->start, in->end, in->adjust, row, err);
		if (rc == 1)
			return 1;
		if (rc == 0)
			continue;
		pp_err_prefix(err, "%s:%ld", pp_reader_name(in->r),
		    pp_reader_line(in->r));
		if (!in->skip_bad)
			return -1;
		count_skip(in, err);
	}
}

enum pp_ohlcv_layout
pp_ohlcv_in_layout(const struct pp_ohlcv_in *in)
{
	return in->cols.layout;
}

long
pp_ohlcv_in_line(const struct pp_ohlcv_in *in)
{
	return pp_reader_line(in->r);
}

size_t
pp_ohlcv_in_skipped(const struct pp_ohlcv_in *in)
{
	return in->skipped;
}

const char *
pp_ohlcv_in_first_skip(const struct pp_ohlcv_in *in)
{
	return in->first_skip;
}

void
pp_ohlcv_in_free(struct pp_ohlcv_in *in)
{
	if (in == NULL)
		return;
	free(in->sym);
	free(in);
}

/*
 * The sorter.
 *
 * Rows usually arrive in order already (a provider's file, synth, our own
 * frames), and then the output is the input minus exact duplicates, which
 * sit next to each other.  Such input must stream in bounded memory, yet
 * the output cannot be written as the rows arrive: a row out of order may
 * still come, and then everything must be sorted, and a program must not
 * leave half an output behind when it fails.  So, while the rows keep
 * coming in order, they are spilled to an unlinked temporary file as a
 * binary frame (compact, fast, and read back by the same reader as any
 * other frame), comparing each with the one before it to drop duplicates
 * and catch conflicts.  At the first row out of order the spill is read
 * back into memory and from then on everything is held there: finish sorts
 * the array by (symbol, date, arrival) and walks it once for duplicates.
 * Out-of-order input (Alpha Vantage's newest first, shuffled files, files
 * given in the wrong order) therefore costs memory proportional to its
 * size, about 72 bytes a row; ordered input costs one row.
 *
 * Each row remembers where it came from (source name and line) so that a
 * conflict found at the end can still name both rows.
 */

/* Interned strings: symbols and source names. */
struct strtab {
	char **s;		/* owned strings, by id */
	size_t n, cap;
	uint32_t *slot;		/* open addressing: id + 1, or 0 if empty */
	size_t nslot;		/* power of two, > 2 n */
	uint32_t last;		/* id found last time (runs repeat) */
};

static int
tab_eq(const char *s, const char *p, size_t n)
{
	return strncmp(s, p, n) == 0 && s[n] == '\0';
}

static uint32_t
tab_intern(struct strtab *t, const char *p, size_t n)
{
	size_t i, mask;

	if (t->n > 0 && tab_eq(t->s[t->last], p, n))
		return t->last;
	if (2 * (t->n + 1) >= t->nslot) {
		size_t ns = t->nslot ? 2 * t->nslot : 64;
		uint32_t *slot = pp_xcalloc(ns, sizeof(*slot));
		size_t k;

		for (k = 0; k < t->n; k++) {
			i = pp_hash_bytes(t->s[k], strlen(t->s[k])) & (ns - 1);
			while (slot[i] != 0)
				i = (i + 1) & (ns - 1);
			slot[i] = (uint32_t)k + 1;
		}
		free(t->slot);
		t->slot = slot;
		t->nslot = ns;
	}
	mask = t->nslot - 1;
	for (i = pp_hash_bytes(p, n) & mask; t->slot[i] != 0; i = (i + 1) & mask)
		if (tab_eq(t->s[t->slot[i] - 1], p, n))
			return t->last = t->slot[i] - 1;
	pp_xgrow((void **)&t->s, &t->cap, t->n + 1, sizeof(*t->s));
	t->s[t->n] = pp_xstrndup(p, n);
	t->slot[i] = (uint32_t)t->n + 1;
	return t->last = (uint32_t)t->n++;
}

static void
tab_release(struct strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* A row held in memory. */
struct mrow {
	int64_t date;
	double v[5];		/* open, high, low, close, volume */
	uint32_t sym;		/* id in syms */
	uint32_t src;		/* id in srcs */
	long line;		/* where in src */
	size_t seq;		/* arrival order: keeps the sort stable */
};

/* The spill frame: the output columns, then src id and line. */
#define SPILL_NCOLS (PP_OHLCV_NCOLS + 2)

struct pp_ohlcv_sorter {
	int memory;		/* 0: streaming through the spill */
	int finished;
	struct strtab srcs;	/* source names (both modes) */
	size_t dups;
	/* Streaming. */
	FILE *spill;		/* unlinked temporary file, or NULL */
	struct pp_writer *w;	/* writing the spill, until finish */
	struct pp_reader *rd;	/* reading it back, after finish */
	int have_prev;
	struct pp_buf prevsym;	/* the last row spilled */
	int64_t prevdate;
	double prevv[5];
	uint32_t prevsrc;
	long prevline;
	/* In memory. */
	struct strtab syms;
	struct mrow *rows;
	size_t nrows, cap;
	uint32_t *rank;		/* sym id -> position in sorted order */
	size_t pos;		/* next row to return */
	int intraday;		/* dates are microseconds */
};

void
pp_ohlcv_sorter_intraday(struct pp_ohlcv_sorter *s)
{
	s->intraday = 1;
}

struct pp_ohlcv_sorter *
pp_ohlcv_sorter_new(void)
{
	struct pp_ohlcv_sorter *s = pp_xcalloc(1, sizeof(*s));

	pp_buf_init(&s->prevsym);
	return s;
}

static void
spill_schema(struct pp_schema *sch)
{
	struct pp_err err = PP_ERR_INIT;

	pp_ohlcv_schema(sch);
	/* A day count or, intraday, microseconds: the number either way. */
	sch->cols[1].type = PP_T_I64;
	pp_schema_add(sch, "src", PP_T_I64, &err);
	pp_schema_add(sch, "line", PP_T_I64, &err);
}

static int
spill_open(struct pp_ohlcv_sorter *s, struct pp_err *err)
{
	struct pp_schema sch = PP_SCHEMA_INIT;
	struct pp_write_opts wo = PP_WRITE_OPTS_INIT;
	struct pp_buf path = PP_BUF_INIT;
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	pp_buf_addf(&path, "%s/pp-spill.XXXXXX", dir);
	fd = mkstemp(path.data);
	if (fd == -1) {
		pp_err_errno(err, errno, "%s", path.data);
		pp_buf_release(&path);
		return -1;
	}
	unlink(path.data);
	pp_buf_release(&path);
	s->spill = fdopen(fd, "w+b");
	if (s->spill == NULL) {
		close(fd);
		return pp_err_errno(err, errno, "spill file");
	}
	spill_schema(&sch);
	wo.format = PP_FMT_BIN;
	s->w = pp_writer_new(s->spill, "<spill>", &sch, &wo, err);
	pp_schema_release(&sch);
	return s->w ? 0 : -1;
}

static int
spill_rewind(struct pp_ohlcv_sorter *s, struct pp_err *err)
{
	if (pp_writer_finish(s->w, err) == -1)
		return -1;
	pp_writer_free(s->w);
	s->w = NULL;
	if (fflush(s->spill) != 0 || fseek(s->spill, 0, SEEK_SET) != 0)
		return pp_err_errno(err, errno, "spill file");
	s->rd = pp_reader_fopen(s->spill, "<spill>", NULL, err);
	return s->rd ? 0 : -1;
}

static void
row_from_spill(const union pp_cell *c, struct pp_ohlcv_row *r)
{
	r->sym = c[0].s.p;
	r->symlen = c[0].s.len;
	r->date = c[1].i;
	r->open = c[2].f;
	r->high = c[3].f;
	r->low = c[4].f;
	r->close = c[5].f;
	r->volume = c[6].f;
}

static void
mem_push(struct pp_ohlcv_sorter *s, const struct pp_ohlcv_row *r,
    uint32_t src, long line)
{
	struct mrow *m;

	pp_xgrow((void **)&s->rows, &s->cap, s->nrows + 1, sizeof(*s->rows));
	m = &s->rows[s->nrows];
	m->date = r->date;
	m->v[0] = r->open;
	m->v[1] = r->high;
	m->v[2] = r->low;
	m->v[3] = r->close;
	m->v[4] = r->volume;
	m->sym = tab_intern(&s->syms, r->sym, r->symlen);
	m->src = src;
	m->line = line;
	m->seq = s->nrows++;
}

/* The first row out of order: move what was spilled into memory. */
static int
to_memory(struct pp_ohlcv_sorter *s, struct pp_err *err)
{
	const union pp_cell *c;
	struct pp_ohlcv_row r;
	int rc;

	s->memory = 1;
	if (s->w == NULL)
		return 0;
	if (spill_rewind(s, err) == -1)
		return -1;
	while ((rc = pp_reader_next(s->rd, &c, err)) == 1) {
		row_from_spill(c, &r);
		mem_push(s, &r, (uint32_t)c[7].i, (long)c[8].i);
	}
	pp_reader_free(s->rd);
	s->rd = NULL;
	fclose(s->spill);
	s->spill = NULL;
	return rc;
}

static int
conflict(const struct pp_ohlcv_sorter *s, struct pp_err *err,
    const char *src, long line, const char *sym, size_t symlen, int64_t date,
    const char *osrc, long oline)
{
	char d[PP_DATE_BUFSZ];

	if (s->intraday)
		pp_datetime_fmt(d, date);
	else
		pp_date_fmt(d, date);
	return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: \"%.*s\" %s: conflicts "
	    "with %s:%ld (other values)", src, line, (int)symlen, sym, d, osrc,
	    oline);
}

static int
cmp_sym(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

int
pp_ohlcv_sorter_add(struct pp_ohlcv_sorter *s, const struct pp_ohlcv_row *r,
    const char *src, long line, struct pp_err *err)
{
	uint32_t id = tab_intern(&s->srcs, src, strlen(src));
	union pp_cell c[SPILL_NCOLS];
	int cmp;

	if (!s->memory && s->have_prev) {
		cmp = cmp_sym(s->prevsym.data, s->prevsym.len, r->sym,
		    r->symlen);
		if (cmp == 0)
			cmp = s->prevdate < r->date ? -1 : s->prevdate > r->date;
		if (cmp == 0) {
			if (s->prevv[0] == r->open && s->prevv[1] == r->high &&
			    s->prevv[2] == r->low && s->prevv[3] == r->close &&
			    s->prevv[4] == r->volume) {
				s->dups++;
				return 0;
			}
			return conflict(s, err, src, line, r->sym, r->symlen,
			    r->date, s->srcs.s[s->prevsrc], s->prevline);
		}
		if (cmp > 0 && to_memory(s, err) == -1)
			return -1;
	}
	if (s->memory) {
		mem_push(s, r, id, line);
		return 0;
	}
	if (s->w == NULL && spill_open(s, err) == -1)
		return -1;
	pp_ohlcv_to_cells(r, c);
	c[7].i = id;
	c[8].i = line;
	if (pp_writer_row(s->w, c, err) == -1)
		return -1;
	s->have_prev = 1;
	pp_buf_reset(&s->prevsym);
	pp_buf_add(&s->prevsym, r->sym, r->symlen);
	s->prevdate = r->date;
	s->prevv[0] = r->open;
	s->prevv[1] = r->high;
	s->prevv[2] = r->low;
	s->prevv[3] = r->close;
	s->prevv[4] = r->volume;
	s->prevsrc = id;
	s->prevline = line;
	return 0;
}

/* Rows compare by symbol rank (sym holds the rank while sorting), date,
 * then arrival. */
static int
cmp_mrow(const void *pa, const void *pb)
{
	const struct mrow *a = pa, *b = pb;

	if (a->sym != b->sym)
		return a->sym < b->sym ? -1 : 1;
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A symbol and its id, sorted by name to rank the ids. */
struct named {
	const char *name;
	uint32_t id;
};

static int
cmp_named(const void *pa, const void *pb)
{
	return strcmp(((const struct named *)pa)->name,
	    ((const struct named *)pb)->name);
}

static int
mem_finish(struct pp_ohlcv_sorter *s, struct pp_err *err)
{
	struct named *order = pp_xcalloc(s->syms.n + 1, sizeof(*order));
	size_t i, keep;
	uint32_t k;

	s->rank = pp_xcalloc(s->syms.n + 1, sizeof(*s->rank));
	for (k = 0; k < s->syms.n; k++) {
		order[k].name = s->syms.s[k];
		order[k].id = k;
	}
	qsort(order, s->syms.n, sizeof(*order), cmp_named);
	for (k = 0; k < s->syms.n; k++)
		s->rank[order[k].id] = k;
	/* qsort has no context argument, so each row's sym holds its rank
	 * while sorting; order[rank] maps it back to the id after. */
	for (i = 0; i < s->nrows; i++)
		s->rows[i].sym = s->rank[s->rows[i].sym];
	qsort(s->rows, s->nrows, sizeof(*s->rows), cmp_mrow);
	for (i = 0; i < s->nrows; i++)
		s->rows[i].sym = order[s->rows[i].sym].id;
	free(order);

	keep = 0;
	for (i = 0; i < s->nrows; i++) {
		const struct mrow *a = keep > 0 ? &s->rows[keep - 1] : NULL;
		const struct mrow *b = &s->rows[i];

		if (a != NULL && a->sym == b->sym && a->date == b->date) {
			if (a->v[0] == b->v[0] && a->v[1] == b->v[1] &&
			    a->v[2] == b->v[2] && a->v[3] == b->v[3] &&
			    a->v[4] == b->v[4]) {
				s->dups++;
				continue;
			}
			return conflict(s, err, s->srcs.s[b->src], b->line,
			    s->syms.s[b->sym], strlen(s->syms.s[b->sym]),
			    b->date, s->srcs.s[a->src], a->line);
		}
		s->rows[keep++] = *b;
	}
	s->nrows = keep;
	return 0;
}

int
pp_ohlcv_sorter_finish(struct pp_ohlcv_sorter *s, struct pp_err *err)
{
	if (s->finished)
		return 0;
	s->finished = 1;
	if (s->memory)
		return mem_finish(s, err);
	if (s->w == NULL)
		return 0;
	return spill_rewind(s, err);
}

int
pp_ohlcv_sorter_next(struct pp_ohlcv_sorter *s, struct pp_ohlcv_row *r,
    struct pp_err *err)
{
	const union pp_cell *c;
	const struct mrow *m;
	int rc;

	if (!s->memory) {
		if (s->rd == NULL)
			return 0;
		rc = pp_reader_next(s->rd, &c, err);
		if (rc == 1)
			row_from_spill(c, r);
		return rc;
	}
	if (s->pos >= s->nrows)
		return 0;
	m = &s->rows[s->pos++];
	r->sym = s->syms.s[m->sym];
	r->symlen = strlen(r->sym);
	r->date = m->date;
	r->open = m->v[0];
	r->high = m->v[1];
	r->low = m->v[2];
	r->close = m->v[3];
	r->volume = m->v[4];
	return 1;
}

size_t
pp_ohlcv_sorter_dups(const struct pp_ohlcv_sorter *s)
{
	return s->dups;
}

int
pp_ohlcv_sorter_in_memory(const struct pp_ohlcv_sorter *s)
{
	return s->memory;
}

void
pp_ohlcv_sorter_free(struct pp_ohlcv_sorter *s)
{
	if (s == NULL)
		return;
	pp_writer_free(s->w);
	pp_reader_free(s->rd);
	if (s->spill)
		fclose(s->spill);
	pp_buf_release(&s->prevsym);
	tab_release(&s->srcs);
	tab_release(&s->syms);
	free(s->rows);
	free(s->rank);
	free(s);
}
