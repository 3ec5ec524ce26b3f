/*
 * schema.c - a frame's columns (name and type, found by name in constant
 * time past 64 columns) and the type helpers every layer above uses.
 * Shared by the frame backends and the programs; depends on nothing of
 * the frame layer.
 */
#include "frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frame_impl.h"
#include "util.h"
#include "banned.h"

const char *
pp_type_name(enum pp_type t)
{
	switch (t) {
	case PP_T_F64:
		return "float64";
	case PP_T_I64:
		return "int64";
	case PP_T_TEXT:
		return "text";
	case PP_T_DATE:
		return "date";
	case PP_T_DATETIME:
		return "datetime";
	}
	return "?";
}

void
pp_cell_blank(enum pp_type t, union pp_cell *cell)
{
	if (t == PP_T_F64) {
		cell->f = NAN;
	} else if (t == PP_T_TEXT) {
		cell->s.p = "";
		cell->s.len = 0;
	} else {
		cell->i = PP_I64_MISSING;
	}
}

double
pp_cell_num(enum pp_type t, const union pp_cell *c)
{
	switch (t) {
	case PP_T_F64:
		return c->f;
	case PP_T_I64:
	case PP_T_DATE:
	case PP_T_DATETIME:
		return c->i == PP_I64_MISSING ? NAN : (double)c->i;
	case PP_T_TEXT:
		break;
	}
	return NAN;
}

void
pp_schema_init(struct pp_schema *s)
{
	s->ncols = 0;
	s->cols = NULL;
	s->cap = 0;
	s->index = NULL;
	s->nindex = 0;
}

void
pp_schema_release(struct pp_schema *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		free(s->cols[i].name);
	free(s->cols);
	free(s->index);
	pp_schema_init(s);
}

/*
 * Names are found by a linear search up to INDEX_MIN columns and through a
 * hash table (open addressing, linear probing, at most half full) beyond,
 * so reading a header of 40,000 columns costs milliseconds, not seconds.
 */
#define INDEX_MIN 64

/* The slot where name is, or the empty one where it would go. */
static size_t
index_slot(const struct pp_schema *s, const char *name)
{
	size_t mask = s->nindex - 1;
	size_t i = (size_t)pp_hash_bytes(name, strlen(name)) & mask;

	while (s->index[i] != 0 &&
	    strcmp(s->cols[s->index[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
index_add(struct pp_schema *s, size_t col)
{
	s->index[index_slot(s, s->cols[col].name)] = col + 1;
}

int
pp_schema_add(struct pp_schema *s, const char *name, enum pp_type t,
    struct pp_err *err)
{
	size_t i;

	if (*name == '\0')
		return pp_err_set(err, PP_EXIT_DATA, "empty column name");
	if (pp_schema_find(s, name) != -1)
		return pp_err_set(err, PP_EXIT_DATA, "duplicate column \"%s\"",
		    name);
	pp_xgrow((void **)&s->cols, &s->cap, s->ncols + 1, sizeof(*s->cols));
	s->cols[s->ncols].name = pp_xstrdup(name);
	s->cols[s->ncols].type = t;
	s->ncols++;
	if (s->ncols < INDEX_MIN)
		return 0;
	if (2 * s->ncols <= s->nindex) {
		index_add(s, s->ncols - 1);
		return 0;
	}
	free(s->index);
	for (s->nindex = 2 * INDEX_MIN; s->nindex < 4 * s->ncols;)
		s->nindex *= 2;
	s->index = pp_xcalloc(s->nindex, sizeof(*s->index));
	for (i = 0; i < s->ncols; i++)
		index_add(s, i);
	return 0;
}

long
pp_schema_find(const struct pp_schema *s, const char *name)
{
	size_t i;

	if (s->index != NULL) {
		i = s->index[index_slot(s, name)];
		return i != 0 ? (long)i - 1 : -1;
	}
	for (i = 0; i < s->ncols; i++)
		if (strcmp(s->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

void
pp_schema_copy(struct pp_schema *dst, const struct pp_schema *src)
{
	size_t i;

	pp_schema_release(dst);
	for (i = 0; i < src->ncols; i++)
		pp_schema_add(dst, src->cols[i].name, src->cols[i].type, NULL);
}

static int
schema_compare(const struct pp_schema *a, const struct pp_schema *b,
    int types, struct pp_err *err)
{
	size_t i;

	for (i = 0; i < a->ncols && i < b->ncols; i++) {
		const struct pp_col *x = &a->cols[i], *y = &b->cols[i];

		if (!types && strcmp(x->name, y->name) != 0)
			return pp_err_set(err, PP_EXIT_DATA, "column %zu is "
			    "\"%s\", expected \"%s\"", i + 1, y->name,
			    x->name);
		if (types && (strcmp(x->name, y->name) != 0 ||
		    x->type != y->type))
			return pp_err_set(err, PP_EXIT_DATA, "column %zu is "
			    "\"%s\" (%s), expected \"%s\" (%s)", i + 1,
			    y->name, pp_type_name(y->type), x->name,
			    pp_type_name(x->type));
	}
	if (a->ncols != b->ncols)
		return pp_err_set(err, PP_EXIT_DATA, "%zu columns, expected %zu",
		    b->ncols, a->ncols);
	return 0;
}

int
pp_schema_same(const struct pp_schema *a, const struct pp_schema *b,
    struct pp_err *err)
{
	return schema_compare(a, b, 1, err);
}

int
pp_schema_same_names(const struct pp_schema *a, const struct pp_schema *b,
    struct pp_err *err)
{
	return schema_compare(a, b, 0, err);
}
