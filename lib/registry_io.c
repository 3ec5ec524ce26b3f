/*
 * registry_io.c - registry listings out (table, CSV, JSON) and metric batches
 * in (CSV).  The one idea: a listing is a struct pp_reg_table of strings
 * built by registry.c, and this file only formats it, so every command of
 * pp-registry shares one writer per format.
 */
#include "registry_io.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "buf.h"
#include "num.h"
#include "util.h"
#include "banned.h"

int
pp_registry_io_parse_format(const char *s, enum pp_format *f)
{
	if (strcmp(s, "table") == 0)
		*f = PP_FMT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*f = PP_FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*f = PP_FMT_JSON;
	else
		return -1;
	return 0;
}

int
pp_registry_io_format_option(void *v, const char *arg, struct pp_err *err)
{
	if (pp_registry_io_parse_format(arg, v) == -1)
		return pp_err_set(err, PP_EXIT_USAGE, "--format: bad value "
		    "\"%s\": want table, csv or json", arg);
	return 0;
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Trailing blanks of a line are dropped. */
static void
put_line(FILE *fp, struct pp_buf *line)
{
	size_t n = line->len;

	while (n > 0 && line->data[n - 1] == ' ')
		n--;
	fwrite(line->data, 1, n, fp);
	putc('\n', fp);
	pp_buf_reset(line);
}

static void
add_safe(struct pp_buf *b, const char *s)
{
	for (; s != NULL && *s; s++)
		pp_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void
add_pad(struct pp_buf *b, size_t n)
{
	while (n-- > 0)
		pp_buf_addc(b, ' ');
}

/* s as shown in a column cut at cut code points (0: never cut). */
static size_t
cut_width(const char *s, size_t cut)
{
	size_t n = width(s);

	return cut > 0 && n > cut ? cut : n;
}

/* add_safe, keeping cut - 1 code points and an ellipsis when s is wider
 * than cut (0: never cut). */
static void
add_cut(struct pp_buf *b, const char *s, size_t cut)
{
	size_t n = 0;

	if (cut == 0 || width(s) <= cut) {
		add_safe(b, s);
		return;
	}
	for (; *s; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80 && ++n == cut)
			break;
		pp_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?'
		    : *s);
	}
	pp_buf_addstr(b, "\xe2\x80\xa6");	/* U+2026 HORIZONTAL ELLIPSIS */
}

/* A column is right-aligned when every value in it is a number.  Every
 * column but the first (which names the rows) is cut at cut code points. */
static void
write_table(FILE *fp, const struct pp_reg_table *t, size_t cut)
{
	size_t *w = pp_xcalloc(t->ncols, sizeof(*w));
	unsigned char *right = pp_xcalloc(t->ncols, 1);
	struct pp_buf line = PP_BUF_INIT;
	size_t i, j;

	for (j = 0; j < t->ncols; j++) {
		w[j] = cut_width(t->cols[j], j ? cut : 0);
		right[j] = 1;
	}
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			size_t n = cut_width(t->cells[i * t->ncols + j],
			    j ? cut : 0);

			if (n > w[j])
				w[j] = n;
			if (t->kinds[i * t->ncols + j] == PP_CELL_TEXT)
				right[j] = 0;
		}
	for (j = 0; j < t->ncols; j++) {
		size_t n = w[j] - cut_width(t->cols[j], j ? cut : 0);

		if (right[j])
			add_pad(&line, n);
		add_cut(&line, t->cols[j], j ? cut : 0);
		add_pad(&line, (right[j] ? 0 : n) + 2);
	}
	put_line(fp, &line);
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			const char *s = t->cells[i * t->ncols + j];
			size_t n = w[j] - cut_width(s, j ? cut : 0);

			if (right[j] && s != NULL)
				add_pad(&line, n);
			add_cut(&line, s, j ? cut : 0);
			add_pad(&line, (right[j] && s != NULL ? 0 : n) + 2);
		}
		put_line(fp, &line);
	}
	pp_buf_release(&line);
	free(w);
	free(right);
}

/* One CSV field: quoted (by libcsv) only when it has to be. */
static void
csv_field(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") != NULL || (*s && (s[0] == ' ' ||
	    s[strlen(s) - 1] == ' ')))
		csv_fwrite(fp, s, strlen(s));
	else
		fputs(s, fp);
}

static void
write_csv(FILE *fp, const struct pp_reg_table *t)
{
	size_t i, j;

	for (j = 0; j < t->ncols; j++) {
		if (j)
			putc(',', fp);
		csv_field(fp, t->cols[j]);
	}
	putc('\n', fp);
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			if (j)
				putc(',', fp);
			csv_field(fp, t->cells[i * t->ncols + j]);
		}
		putc('\n', fp);
	}
}

static void
json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			putc(c, fp);
	}
	putc('"', fp);
}

static void
write_json(FILE *fp, const struct pp_reg_table *t)
{
	size_t i, j;

	fputs("[", fp);
	for (i = 0; i < t->nrows; i++) {
		fputs(i ? ",\n  {" : "\n  {", fp);
		for (j = 0; j < t->ncols; j++) {
			const char *s = t->cells[i * t->ncols + j];
			int kind = t->kinds[i * t->ncols + j];

			if (j)
				fputs(", ", fp);
			json_string(fp, t->cols[j]);
			fputs(": ", fp);
			if (s == NULL)
				fputs("null", fp);
			else if (kind == PP_CELL_NUM)
				/* JSON has no infinities: they are null */
				fputs(strstr(s, "inf") || *s == '\0' ? "null" : s,
				    fp);
			else
				json_string(fp, s);
		}
		fputs("}", fp);
	}
	fputs(t->nrows ? "\n]\n" : "]\n", fp);
}

void
pp_registry_io_write(FILE *fp, const struct pp_reg_table *t, enum pp_format f)
{
	pp_registry_io_write_cut(fp, t, f, 0);
}

void
pp_registry_io_write_cut(FILE *fp, const struct pp_reg_table *t, enum pp_format f,
    size_t cut)
{
	if (f == PP_FMT_AUTO)
		f = isatty(fileno(fp)) ? PP_FMT_TABLE : PP_FMT_CSV;
	switch (f) {
	case PP_FMT_TABLE:
		write_table(fp, t, cut);
		break;
	case PP_FMT_JSON:
		write_json(fp, t);
		break;
	default:
		write_csv(fp, t);
		break;
	}
}

/* ---- Metric batches ---------------------------------------------------- */

void
pp_metric_list_add(struct pp_metric_list *l, const char *key, double value,
    int64_t step, int64_t timestamp)
{
	struct pp_metric *m;

	pp_xgrow((void **)&l->m, &l->cap, l->n + 1, sizeof(*m));
	m = &l->m[l->n++];
	m->key = pp_xstrdup(key);
	m->value = value;
	m->step = step;
	m->timestamp = timestamp;
}

enum { COL_KEY, COL_VALUE, COL_STEP, COL_TS, NCOLS };

static const char *const col_names[NCOLS] = {
	"key", "value", "step", "timestamp"
};

struct reader {
	const char *name;
	struct pp_metric_list *l;
	struct pp_err *err;
	long line;		/* of the row being read */
	int header;		/* 1 while reading the header */
	int col[NCOLS];		/* field index of each column, or -1 */
	int field;		/* index of the next field in the row */
	char *cell[NCOLS];	/* this row's cells (owned) */
	int failed;
};

static void
on_field(void *s, size_t n, void *arg)
{
	struct reader *r = arg;
	int i;

	if (r->failed)
		return;
	if (r->header) {
		for (i = 0; i < NCOLS; i++)
			if (strlen(col_names[i]) == n &&
			    memcmp(s, col_names[i], n) == 0)
				r->col[i] = r->field;
	} else {
		for (i = 0; i < NCOLS; i++)
			if (r->col[i] == r->field) {
				free(r->cell[i]);
				r->cell[i] = pp_xstrndup(s ? s : "", n);
			}
	}
	r->field++;
}

static void
bad(struct reader *r, const char *col, const char *what)
{
	pp_err_set(r->err, PP_EXIT_DATA, "%s:%ld: column \"%s\": %s", r->name,
	    r->line, col, what);
	r->failed = 1;
}

static void
on_row(int c, void *arg)
{
	struct reader *r = arg;
	double value;
	int64_t step = 0, ts = 0;
	int i;

	(void)c;
	if (r->failed)
		return;
	r->line++;
	r->field = 0;
	if (r->header) {
		r->header = 0;
		for (i = 0; i < 2; i++)
			if (r->col[i] == -1) {
				pp_err_set(r->err, PP_EXIT_DATA, "%s:1: no "
				    "\"%s\" column", r->name, col_names[i]);
				r->failed = 1;
				return;
			}
		return;
	}
	if (r->cell[COL_KEY] == NULL || r->cell[COL_KEY][0] == '\0')
		return bad(r, "key", "empty");
	if (r->cell[COL_VALUE] == NULL || pp_parse_double(r->cell[COL_VALUE],
	    strlen(r->cell[COL_VALUE]), &value) == -1)
		return bad(r, "value", "not a number");
	if (r->cell[COL_STEP] && r->cell[COL_STEP][0] &&
	    pp_parse_int64(r->cell[COL_STEP], strlen(r->cell[COL_STEP]),
	    &step) == -1)
		return bad(r, "step", "not a whole number");
	if (r->cell[COL_TS] && r->cell[COL_TS][0] &&
	    (pp_parse_int64(r->cell[COL_TS], strlen(r->cell[COL_TS]),
	    &ts) == -1 || ts <= 0))
		return bad(r, "timestamp", "not a time in ms");
	if (r->line - 1 > PP_REGISTRY_IO_METRICS_MAX_POINTS) {
		pp_err_set(r->err, PP_EXIT_DATA, "%s:%ld: more than %d "
		    "points", r->name, r->line, PP_REGISTRY_IO_METRICS_MAX_POINTS);
		r->failed = 1;
		return;
	}
	pp_metric_list_add(r->l, r->cell[COL_KEY], value, step, ts);
	for (i = 0; i < NCOLS; i++) {
		free(r->cell[i]);
		r->cell[i] = NULL;
	}
}

int
pp_registry_io_read_metrics(FILE *fp, const char *name, struct pp_metric_list *l,
    struct pp_err *err)
{
	struct csv_parser p;
	struct reader r;
	char buf[65536];
	size_t n, total = 0;
	int i, rc = 0;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.l = l;
	r.err = err;
	r.header = 1;
	for (i = 0; i < NCOLS; i++)
		r.col[i] = -1;
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return pp_err_set(err, PP_EXIT_DATA, "%s: out of memory", name);
	while (!r.failed && (n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		/* Bounded: --metrics-file - fed forever kept every row. */
		if ((total += n) > PP_REGISTRY_IO_METRICS_MAX) {
			pp_err_set(err, PP_EXIT_DATA, "%s: longer than %zu "
			    "bytes", name, (size_t)PP_REGISTRY_IO_METRICS_MAX);
			r.failed = 1;
			break;
		}
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
			pp_err_set(err, PP_EXIT_DATA, "%s: %s", name,
			    csv_strerror(csv_error(&p)));
			r.failed = 1;
		}
		/* libcsv grows a field 128 bytes at a time: a field of
		 * megabytes (/dev/zero) costs time quadratic in its size. */
		if (!r.failed && p.entry_pos > PP_REGISTRY_IO_FIELD_MAX) {
			pp_err_set(err, PP_EXIT_DATA, "%s:%ld: a field longer "
			    "than %d bytes", name, r.line + 1,
			    PP_REGISTRY_IO_FIELD_MAX);
			r.failed = 1;
		}
	}
	if (!r.failed && ferror(fp)) {
		pp_err_set(err, PP_EXIT_DATA, "%s: read error", name);
		r.failed = 1;
	}
	if (!r.failed)
		csv_fini(&p, on_field, on_row, &r);
	if (!r.failed && r.header) {
		pp_err_set(err, PP_EXIT_DATA, "%s: empty file (want a header "
		    "with key and value)", name);
		r.failed = 1;
	}
	csv_free(&p);
	for (i = 0; i < NCOLS; i++)
		free(r.cell[i]);
	if (r.failed)
		rc = -1;
	return rc;
}

void
pp_metric_list_release(struct pp_metric_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free((char *)l->m[i].key);
	free(l->m);
	l->m = NULL;
	l->n = l->cap = 0;
}
