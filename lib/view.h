/*
 * view.h - a look at a frame: some of its columns, its first and last
 * rows (pp cat --select, --head, --tail), without holding more of it than
 * the tail asked for.
 *
 * Rows go in one at a time as read; a row comes out at once (within the
 * head, or when no head or tail was asked), is kept (the tail: a ring of
 * its last rows, text copied), or is dropped.  With both a head and a
 * tail the first N rows and the last M after them come out, each row at
 * most once: a frame's two ends, as a DataFrame prints.
 */
#ifndef PP_VIEW_H
#define PP_VIEW_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "frame.h"

struct pp_view_slot;

struct pp_view {
	struct pp_schema schema;	/* the columns that come out */
	size_t *pick;			/* their indexes in the input */
	long head, tail;		/* rows; -1: not asked */
	size_t seen;			/* rows put in */
	union pp_cell *row;		/* the row handed out */
	struct pp_view_slot *ring;	/* tail rows, oldest at start */
	size_t start, kept;
};

/* Set up v for input schema in: select (NULL: every column) is a comma
 * list of names, each once; head and tail -1 when not asked.  Returns 0,
 * or -1 with err (PP_EXIT_DATA: 'no column "x"'; PP_EXIT_USAGE: an empty
 * name, a repeated one). */
int pp_view_init(struct pp_view *v, const struct pp_schema *in,
    const char *select, long head, long tail, struct pp_err *err);

/* Put in one input row: 1 with *out the row to write now, 0 if it was
 * kept or dropped.  *out is valid until the next call. */
int pp_view_put(struct pp_view *v, const union pp_cell *row,
    const union pp_cell **out);

/* 1 when no later row can come out (the head is full and no tail was
 * asked): the reader may stop. */
int pp_view_full(const struct pp_view *v);

/* After the last row: the kept tail rows, oldest first; 1 with *out, 0
 * when none is left. */
int pp_view_take(struct pp_view *v, const union pp_cell **out);

void pp_view_release(struct pp_view *v);

#endif
