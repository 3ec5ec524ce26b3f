/*
 * lineage.c - producer lines, canonical specs and model recipes
 * (lineage.h).
 */
#include "lineage.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>

#include "buf.h"
#include "expr.h"
#include "input_hash.h"
#include "model.h"
#include "train.h"
#include "util.h"
#include "banned.h"

/* s[0..n), bytes from a file or a command line, as they may appear in a
 * one-line message (pp_buf_addshown); the caller frees. */
static char *
shown(const char *s, size_t n)
{
	struct pp_buf b = PP_BUF_INIT;

	pp_buf_addshown(&b, s, n);
	return pp_buf_detach(&b, NULL);
}

static int
shell_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_.,:/=+@%", *s)))
			return 0;
	return 1;
}

void
pp_lineage_producer(struct pp_meta *m, const char *prog,
    const char *version, int argc, char *const argv[])
{
	struct pp_buf b = PP_BUF_INIT;
	struct pp_err e = PP_ERR_INIT;
	const char *old = pp_meta_get(m, PP_META_PRODUCER), *p;
	int i;

	if (old != NULL && *old != '\0')
		pp_buf_addf(&b, "%s%s", old, old[strlen(old) - 1] == '\n' ?
		    "" : "\n");
	pp_buf_addf(&b, "%s %s", prog, version);
	for (i = 1; i < argc; i++) {
		pp_buf_addc(&b, ' ');
		if (shell_plain(argv[i])) {
			pp_buf_addstr(&b, argv[i]);
			continue;
		}
		pp_buf_addc(&b, '\'');
		for (p = argv[i]; *p != '\0'; p++) {
			/* One line a program: a newline is written as \n. */
			if (*p == '\'')
				pp_buf_addstr(&b, "'\\''");
			else if (*p == '\n')
				pp_buf_addstr(&b, "\\n");
			else
				pp_buf_addc(&b, *p);
		}
		pp_buf_addc(&b, '\'');
	}
	pp_buf_addc(&b, '\n');
	/* Arguments are C strings and UTF-8 was checked by no one: a value
	 * that fails the metadata rules is left out rather than written. */
	if (pp_meta_set(m, PP_META_PRODUCER, b.data, &e) == -1)
		(void)pp_meta_del(m, PP_META_PRODUCER);
	pp_buf_release(&b);
}

int
pp_lineage_source(struct pp_meta *m, const char *path, struct pp_err *err)
{
	struct pp_input_hash h = PP_INPUT_HASH_INIT;
	struct stat st;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0 ||
	    pp_meta_get(m, PP_META_SOURCE) != NULL ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	if ((rc = pp_input_hash_open(&h, path, 1, err)) == 0 && h.hex[0] != '\0')
		(void)pp_meta_set(m, PP_META_SOURCE, h.hex, err);
	pp_input_hash_close(&h);
	return rc;
}

void
pp_lineage_spec(struct pp_meta *m, const struct pp_spec *s, size_t horizon)
{
	struct pp_buf b = PP_BUF_INIT, all = PP_BUF_INIT;
	struct pp_err e = PP_ERR_INIT;
	const char *old = pp_meta_get(m, PP_META_SPEC);
	char num[32];

	pp_spec_print(s, 1, &b);
	/* Features computed on features: the input's definitions come
	 * first.  If together they do not check (a new feature reads an old
	 * target), no spec can say how the frame was made. */
	if (old != NULL) {
		pp_buf_addstr(&all, old);
		if (all.len > 0 && all.data[all.len - 1] != '\n')
			pp_buf_addc(&all, '\n');
		pp_buf_add(&all, b.data, b.len);
		pp_buf_reset(&b);
		if (pp_lineage_canon(all.data, all.len, PP_META_SPEC, &b,
		    &horizon, &e) == -1) {
			(void)pp_meta_del(m, PP_META_SPEC);
			(void)pp_meta_del(m, PP_META_HORIZON);
			goto out;
		}
	}
	/* Definitions are UTF-8 (every reader checked them). */
	(void)pp_meta_set(m, PP_META_SPEC, b.data, &e);
	snprintf(num, sizeof(num), "%zu", horizon);
	(void)pp_meta_set(m, PP_META_HORIZON, num, &e);
out:
	pp_buf_release(&all);
	pp_buf_release(&b);
}

/* Parse text and compile it against the columns it reads itself. */
static struct pp_plan *
compile_text(struct pp_spec *s, const char *text, size_t len,
    const char *src, struct pp_err *err)
{
	struct pp_schema cols = PP_SCHEMA_INIT;
	struct pp_plan *p;

	if (pp_spec_add_file(s, text, len, src, err) == -1)
		return NULL;
	pp_spec_columns(s, 1, &cols);
	p = pp_plan_compile(s, &cols, err);
	pp_schema_release(&cols);
	return p;
}

int
pp_lineage_canon(const char *text, size_t len, const char *src,
    struct pp_buf *canon, size_t *horizon, struct pp_err *err)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_plan *p = compile_text(s, text, len, src, err);

	if (p != NULL) {
		pp_spec_print(s, 1, canon);
		*horizon = pp_plan_lead(p);
	}
	pp_plan_free(p);
	pp_spec_free(s);
	return p != NULL ? 0 : -1;
}

void
pp_recipe_release(struct pp_recipe *r)
{
	free(r->spec);
	free(r->inputs);
	r->spec = r->inputs = NULL;
	r->warmup = r->horizon = 0;
}

/* Index of output name in p, or -1. */
static long
find_out(const struct pp_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < pp_plan_nout(p); i++)
		if (strcmp(pp_plan_out_name(p, i), name) == 0)
			return (long)i;
	return -1;
}

int
pp_recipe_make(struct pp_recipe *r, const char *text, size_t len,
    const char *src, const char *const *names, size_t n,
    struct pp_err *err)
{
	struct pp_spec *s = pp_spec_new();
	struct pp_schema in = PP_SCHEMA_INIT;
	struct pp_buf b = PP_BUF_INIT;
	struct pp_plan *p;
	size_t j;
	int rc = -1;

	pp_recipe_release(r);
	if ((p = compile_text(s, text, len, src, err)) == NULL)
		goto out;
	pp_spec_columns(s, 0, &in);
	for (j = 0; j < n; j++) {
		long i = find_out(p, names[j]);
		struct pp_err e = PP_ERR_INIT;

		if (i >= (long)pp_plan_nfeatures(p)) {
			char *nm = shown(names[j], strlen(names[j]));

			pp_err_set(err, PP_EXIT_DATA, "feature \"%s\" is a "
			    "target of the spec: a model cannot use a value "
			    "that looks ahead", nm);
			free(nm);
			goto out;
		}
		if (i < 0) {
			if (pp_schema_find(&in, names[j]) < 0)
				(void)pp_schema_add(&in, names[j], PP_T_F64,
				    &e);
		} else if (pp_plan_warmup(p, (size_t)i) > r->warmup) {
			r->warmup = pp_plan_warmup(p, (size_t)i);
		}
	}
	for (j = 0; j < in.ncols; j++)
		pp_buf_addf(&b, "%s%s", j ? "," : "", in.cols[j].name);
	r->inputs = pp_buf_detach(&b, NULL);
	pp_spec_print(s, 1, &b);
	r->spec = pp_buf_detach(&b, NULL);
	r->horizon = (long)pp_plan_lead(p);
	rc = 0;
out:
	if (rc == -1)
		pp_recipe_release(r);
	pp_buf_release(&b);
	pp_schema_release(&in);
	pp_plan_free(p);
	pp_spec_free(s);
	return rc;
}

/* The name a canonical line defines: after "target ", up to '='. */
static size_t
line_name(const char *line, size_t len, const char **name)
{
	const char *eq;

	if (len > 7 && memcmp(line, "target ", 7) == 0)
		line += 7, len -= 7;
	*name = line;
	eq = memchr(line, '=', len);
	return eq ? (size_t)(eq - line) : len;
}

/* The line of canonical spec s that defines name[0..nlen), or NULL;
 * *len receives its length. */
static const char *
find_line(const char *s, const char *name, size_t nlen, size_t *len)
{
	while (*s != '\0') {
		const char *nl = strchr(s, '\n'), *nm;
		size_t l = nl ? (size_t)(nl - s) : strlen(s);

		if (line_name(s, l, &nm) == nlen && memcmp(nm, name, nlen) == 0) {
			*len = l;
			return s;
		}
		s += l + (nl != NULL);
	}
	return NULL;
}

int
pp_lineage_agree(const char *a, const char *a_what, const char *b,
    const char *b_what, struct pp_err *err)
{
	const char *s = b;

	while (*s != '\0') {
		const char *nl = strchr(s, '\n'), *nm, *o;
		size_t l = nl ? (size_t)(nl - s) : strlen(s), ol;
		size_t nlen = line_name(s, l, &nm);

		o = find_line(a, nm, nlen, &ol);
		if (o != NULL && (ol != l || memcmp(o, s, l) != 0)) {
			char *n1 = shown(nm, nlen), *d1 = shown(s, l);
			char *d2 = shown(o, ol);

			pp_err_set(err, PP_EXIT_DATA, "feature \"%s\": %s "
			    "spec defines it as \"%s\", %s as \"%s\"", n1,
			    b_what, d1, a_what, d2);
			free(n1);
			free(d1);
			free(d2);
			return -1;
		}
		s += l + (nl != NULL);
	}
	return 0;
}

int
pp_lineage_read_file(const char *path, struct pp_buf *text,
    struct pp_err *err)
{
	FILE *fp = stdin;
	size_t n;
	int rc = 0;

	if (path != NULL && strcmp(path, "-") != 0 &&
	    (fp = fopen(path, "r")) == NULL)
		return pp_err_errno(err, errno, "%s", path);
	do {
		pp_buf_grow(text, 4096);
		n = fread(text->data + text->len, 1, 4096, fp);
		pp_buf_setlen(text, text->len + n);
	} while (n > 0);
	if (ferror(fp))
		rc = pp_err_errno(err, errno, "%s: read error", fp == stdin ?
		    "<stdin>" : path);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* Past "SRC:LINE:COL: " at the start of msg, or msg. */
static const char *
past_position(const char *msg)
{
	const char *p;

	for (p = strchr(msg, ':'); p != NULL; p = strchr(p + 1, ':')) {
		const char *q = p + 1;
		int part;

		for (part = 0; part < 2; part++) {
			if (*q < '0' || *q > '9')
				break;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q++ != ':')
				break;
		}
		if (part == 2 && *q == ' ')
			return q + 1;
	}
	return msg;
}

int
pp_lineage_data_error(struct pp_err *err, const char *where)
{
	char msg[PP_ERR_MSGMAX], *nl, *what;
	const char *def = NULL;
	size_t nlen = 0;

	snprintf(msg, sizeof(msg), "%s", err->msg);
	pp_err_clear(err);
	/* "SRC:LINE:COL: WHAT\n  DEF\n  ^~~": the definition names the
	 * feature. */
	if ((nl = strchr(msg, '\n')) != NULL) {
		*nl = '\0';
		def = nl + 1;
		while (*def == ' ')
			def++;
		if (strncmp(def, "target ", 7) == 0)
			def += 7;
		nlen = strcspn(def, "= \n");
	}
	what = shown(past_position(msg), strlen(past_position(msg)));
	if (nlen > 0) {
		char *nm = shown(def, nlen);

		pp_err_set(err, PP_EXIT_DATA, "%s: feature \"%s\": %s", where,
		    nm, what);
		free(nm);
	} else {
		pp_err_set(err, PP_EXIT_DATA, "%s: %s", where, what);
	}
	free(what);
	return -1;
}

void
pp_lineage_train_release(struct pp_lineage_train *lt)
{
	free(lt->spec);
	free(lt->features);
	lt->spec = lt->features = NULL;
	lt->horizon = -1;
}

int
pp_lineage_train_begin(struct pp_lineage_train *lt,
    const struct pp_reader *r, const char *spec_path,
    struct pp_train_opts *t, int gap_given, struct pp_err *err)
{
	const struct pp_meta *meta = pp_reader_meta(r);
	const char *fspec = pp_meta_get(meta, PP_META_SPEC);
	const char *fh = pp_meta_get(meta, PP_META_HORIZON);
	struct pp_buf text = PP_BUF_INIT, canon = PP_BUF_INIT;
	struct pp_buf where = PP_BUF_INIT;
	size_t horizon = 0;
	int rc = -1;

	pp_lineage_train_release(lt);
	if (spec_path != NULL) {
		if (pp_lineage_read_file(spec_path, &text, err) == -1 ||
		    pp_lineage_canon(text.data, text.len, spec_path[0] == '-' &&
		    spec_path[1] == '\0' ? "<stdin>" : spec_path, &canon,
		    &horizon, err) == -1)
			goto out;
	} else if (fspec != NULL) {
		pp_buf_addf(&where, "%s: pp.spec", pp_reader_name(r));
		if (pp_lineage_canon(fspec, strlen(fspec), "pp.spec", &canon,
		    &horizon, err) == -1) {
			pp_lineage_data_error(err, where.data);
			goto out;
		}
	}
	if (spec_path != NULL && fspec != NULL &&
	    pp_lineage_agree(fspec, "the frame's", canon.data, "-F's",
	    err) == -1) {
		pp_err_prefix(err, "%s", pp_reader_name(r));
		goto out;
	}
	if (canon.len > 0) {
		struct pp_spec *s = pp_spec_new();
		struct pp_schema cols = PP_SCHEMA_INIT;
		struct pp_plan *p;
		struct pp_buf f = PP_BUF_INIT;
		struct pp_err e = PP_ERR_INIT;
		size_t i;

		/* Canonical text checked above: it compiles again. */
		lt->horizon = (long)horizon;
		(void)pp_spec_add_file(s, canon.data, canon.len, "spec", &e);
		pp_spec_columns(s, 1, &cols);
		p = pp_plan_compile(s, &cols, &e);
		for (i = 0; p != NULL && i < pp_plan_nfeatures(p); i++)
			if (pp_schema_find(pp_reader_schema(r),
			    pp_plan_out_name(p, i)) >= 0)
				pp_buf_addf(&f, "%s%s", f.len ? "," : "",
				    pp_plan_out_name(p, i));
		if (f.len > 0)
			lt->features = pp_buf_detach(&f, NULL);
		pp_buf_release(&f);
		pp_plan_free(p);
		pp_schema_release(&cols);
		pp_spec_free(s);
		lt->spec = pp_buf_detach(&canon, NULL);
	} else if (fh != NULL) {
		char *end;
		long v;

		errno = 0;
		v = strtol(fh, &end, 10);
		if (errno != 0 || end == fh || *end != '\0' || v < 0 ||
		    v > 100000000) {
			char *v1 = shown(fh, strlen(fh));

			pp_err_set(err, PP_EXIT_DATA, "%s: pp.horizon: not a "
			    "number of rows: \"%s\"", pp_reader_name(r), v1);
			free(v1);
			goto out;
		}
		lt->horizon = v;
	}
	if (t->features == NULL && t->features_re == NULL)
		t->features = lt->features;
	if (t->horizon == 0 && lt->horizon > 0)
		t->horizon = lt->horizon;
	if (!gap_given && (t->split.folds > 0 || t->split.test_frac > 0))
		t->split.gap = t->horizon;
	rc = 0;
out:
	pp_buf_release(&text);
	pp_buf_release(&canon);
	pp_buf_release(&where);
	return rc;
}

int
pp_lineage_train_model(const struct pp_lineage_train *lt,
    struct pp_model *m, long horizon, struct pp_err *err)
{
	struct pp_recipe r = PP_RECIPE_INIT;

	m->horizon = horizon > 0 ? horizon : -1;
	if (lt->spec == NULL)
		return 0;
	if (pp_recipe_make(&r, lt->spec, strlen(lt->spec), "spec",
	    (const char *const *)m->features, m->nfeat, err) == -1)
		return -1;
	free(m->spec);
	free(m->inputs);
	m->spec = r.spec;
	m->inputs = r.inputs;
	m->warmup = r.warmup;
	m->horizon = r.horizon;
	return 0;
}
