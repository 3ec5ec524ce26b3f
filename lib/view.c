/*
 * view.c - columns and rows of a frame for a look at it.  The one idea:
 * the tail is a ring of copied rows, so a frame of any length is looked
 * at in the memory of its last M rows.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

struct pp_view_slot {
	union pp_cell *cells;	/* schema.ncols */
	struct pp_buf text;	/* the text cells' bytes */
};

static int
pick_columns(struct pp_view *v, const struct pp_schema *in,
    const char *select, struct pp_err *err)
{
	const char *p = select;
	size_t n = 0;

	if (select == NULL) {
		v->pick = pp_xcalloc(in->ncols ? in->ncols : 1,
		    sizeof(*v->pick));
		for (n = 0; n < in->ncols; n++) {
			v->pick[n] = n;
			pp_schema_add(&v->schema, in->cols[n].name,
			    in->cols[n].type, NULL);
		}
		return 0;
	}
	v->pick = pp_xcalloc(strlen(select) + 1, sizeof(*v->pick));
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = pp_xstrndup(p, len);
		long k = pp_schema_find(in, name);

		if (len == 0 || k == -1 || pp_schema_find(&v->schema,
		    name) != -1) {
			int rc = pp_err_set(err, len == 0 || k != -1 ?
			    PP_EXIT_USAGE : PP_EXIT_DATA, len == 0 ?
			    "--select: an empty column name" : k == -1 ?
			    "--select: no column \"%s\"" :
			    "--select: column \"%s\" twice", name);

			free(name);
			return rc;
		}
		v->pick[n++] = (size_t)k;
		pp_schema_add(&v->schema, name, in->cols[k].type, NULL);
		free(name);
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
pp_view_init(struct pp_view *v, const struct pp_schema *in,
    const char *select, long head, long tail, struct pp_err *err)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	pp_schema_init(&v->schema);
	v->head = head;
	v->tail = tail;
	if (pick_columns(v, in, select, err) == -1)
		return -1;
	v->row = pp_xcalloc(v->schema.ncols ? v->schema.ncols : 1,
	    sizeof(*v->row));
	if (tail > 0) {
		v->ring = pp_xcalloc((size_t)tail, sizeof(*v->ring));
		for (i = 0; i < (size_t)tail; i++) {
			v->ring[i].cells = pp_xcalloc(v->schema.ncols ?
			    v->schema.ncols : 1, sizeof(union pp_cell));
			pp_buf_init(&v->ring[i].text);
		}
	}
	return 0;
}

/* Copy row (already projected) into slot s, text included. */
static void
keep(struct pp_view *v, struct pp_view_slot *s, const union pp_cell *row)
{
	size_t j, off;

	pp_buf_reset(&s->text);
	for (j = 0; j < v->schema.ncols; j++)
		if (v->schema.cols[j].type == PP_T_TEXT)
			pp_buf_add(&s->text, row[j].s.p, row[j].s.len);
	/* The buffer has stopped moving: now point into it. */
	for (j = 0, off = 0; j < v->schema.ncols; j++) {
		s->cells[j] = row[j];
		if (v->schema.cols[j].type == PP_T_TEXT) {
			s->cells[j].s.p = s->text.data + off;
			off += row[j].s.len;
		}
	}
}

int
pp_view_put(struct pp_view *v, const union pp_cell *row,
    const union pp_cell **out)
{
	size_t j, slot;

	for (j = 0; j < v->schema.ncols; j++)
		v->row[j] = row[v->pick[j]];
	v->seen++;
	if (v->head < 0 && v->tail < 0) {
		*out = v->row;
		return 1;
	}
	if (v->head >= 0 && v->seen <= (size_t)v->head) {
		*out = v->row;
		return 1;
	}
	if (v->tail <= 0)
		return 0;
	if (v->kept < (size_t)v->tail) {
		slot = (v->start + v->kept++) % (size_t)v->tail;
	} else {
		slot = v->start;	/* the oldest goes */
		v->start = (v->start + 1) % (size_t)v->tail;
	}
	keep(v, &v->ring[slot], v->row);
	return 0;
}

int
pp_view_full(const struct pp_view *v)
{
	return v->head >= 0 && v->tail <= 0 && v->seen >= (size_t)v->head;
}

int
pp_view_take(struct pp_view *v, const union pp_cell **out)
{
	if (v->kept == 0)
		return 0;
	*out = v->ring[v->start].cells;
	v->start = (v->start + 1) % (size_t)v->tail;
	v->kept--;
	return 1;
}

void
pp_view_release(struct pp_view *v)
{
	long i;

	for (i = 0; v->ring != NULL && i < v->tail; i++) {
		free(v->ring[i].cells);
		pp_buf_release(&v->ring[i].text);
	}
	free(v->ring);
	free(v->row);
	free(v->pick);
	pp_schema_release(&v->schema);
	memset(v, 0, sizeof(*v));
}
