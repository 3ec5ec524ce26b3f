/*
 * registry_copy.h - a whole registry moved to another, SQLite to
 * PostgreSQL or back (pp-registry copy).
 *
 * Ownership: both registries stay the caller's; the table of counts is
 * the caller's, freed with pp_reg_table_release.
 */
#ifndef PP_REGISTRY_COPY_H
#define PP_REGISTRY_COPY_H

#include "err.h"
#include "registry.h"

/*
 * Copy every row of every table of from (deleted runs, metric histories
 * in their order, artifacts' stored bytes, the audit log, ids) into to,
 * which must hold no experiment and no model, in one transaction of to.
 * Then read both again and compare them row for row, cell for cell.
 * t gets one row per table: its name and the rows copied.  Returns 0, or
 * -1 with err (to is left as it was unless the comparison failed).
 */
int pp_registry_copy(struct pp_registry *from, struct pp_registry *to,
    struct pp_reg_table *t, struct pp_err *err);

#endif
