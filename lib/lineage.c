/*
 * lineage.c - producer lines, canonical specs and model recipes
 * (lineage.h).
 */
#include "lineage.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "expr.h"
#include "hashin.h"
#include "util.h"
#include "banned.h"

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
	struct pp_hashin h = PP_HASHIN_INIT;
	struct stat st;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0 ||
	    pp_meta_get(m, PP_META_SOURCE) != NULL ||
	    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	if ((rc = pp_hashin_open(&h, path, 1, err)) == 0 && h.hex[0] != '\0')
		(void)pp_meta_set(m, PP_META_SOURCE, h.hex, err);
	pp_hashin_close(&h);
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
			pp_err_set(err, PP_EXIT_DATA, "feature \"%s\" is a "
			    "target of the spec: a model cannot use a value "
			    "that looks ahead", names[j]);
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
		if (o != NULL && (ol != l || memcmp(o, s, l) != 0))
			return pp_err_set(err, PP_EXIT_DATA, "feature \"%.*s\": "
			    "%s spec defines it as \"%.*s\", %s as \"%.*s\"",
			    (int)nlen, nm, b_what, (int)l, s, a_what, (int)ol,
			    o);
		s += l + (nl != NULL);
	}
	return 0;
}
