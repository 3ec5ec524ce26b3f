/*
 * sort.h - pp sort: a frame ordered by (date, symbol) or (symbol, date),
 * in bounded memory.
 *
 * Rows are read into a buffer of half of buffer bytes; a full one is
 * sorted and spilled as a run, a binary frame in an unlinked temporary
 * file ($TMPDIR, else /tmp); the runs are then merged, k ways, into the
 * writer.  Input that fits the buffer is sorted in memory and never
 * touches a file.  The sort is stable: rows with the same key keep their
 * input order (a run holds earlier rows than the next, only consecutive
 * runs are merged, and a merge takes the earliest run on a tie).
 *
 * Memory: about buffer bytes (a process's own few MB aside): half holds
 * rows; merging takes about 1 MiB a run (a reader's block, a chunk and
 * the reader's buffers), so at most buffer / 2 MiB runs (2 to 64) are
 * merged at once, and as many files are open.  More runs are
 * merged level by level, as a binary counter carries: fan-in runs of one
 * level into one of the next, each row rewritten log_fanin(runs) times.
 *
 * Keys: the "date" column, whatever its type (a date, a date-time, a
 * number, or text compared bytewise), and the "symbol" column (text,
 * bytewise).  A missing date (an empty cell) sorts first.  A frame with
 * one of the two is sorted by it alone (a single series by date); one
 * with neither is refused.
 *
 * Ownership: the caller owns the reader and the writer (whose schema is
 * the reader's); nothing is kept after pp_sort_run returns.
 */
#ifndef PP_SORT_H
#define PP_SORT_H

#include <stddef.h>

#include "err.h"
#include "frame.h"

enum pp_sort_by {
	PP_SORT_DATE_SYMBOL,	/* what cs_rank and ref() need */
	PP_SORT_SYMBOL_DATE	/* one symbol after another */
};

struct pp_sort_opts {
	enum pp_sort_by by;
	size_t buffer;		/* bytes of rows held before a spill */
	size_t nruns;		/* filled: runs spilled (0: in memory) */
};

#define PP_SORT_BUFFER_DEFAULT ((size_t)64 << 20)
#define PP_SORT_OPTS_INIT { PP_SORT_DATE_SYMBOL, PP_SORT_BUFFER_DEFAULT, 0 }

/* Parse "date,symbol" or "symbol,date" into *by.  Returns 0 or -1. */
int pp_sort_parse_by(const char *s, enum pp_sort_by *by);

/* Read r to its end and write its rows to w in key order.  Returns 0, or
 * -1 with err set: neither a "date" nor a "symbol" column, or "symbol"
 * not text (PP_EXIT_DATA), a bad row, a temporary file that cannot be made or
 * written (the errno's message), a write error of w.  w is not
 * finished. */
int pp_sort_run(struct pp_reader *r, struct pp_writer *w,
    struct pp_sort_opts *o, struct pp_err *err);

#endif
