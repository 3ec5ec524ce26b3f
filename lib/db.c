/*
 * db.c - the dispatcher of db.h: pick a backend by the name's shape, then
 * call through its table.  Nothing here knows SQL.
 */
#include "db.h"

#include <string.h>

#include "buf.h"
#include "banned.h"

int
pp_db_is_url(const char *name)
{
	const char *eq;

	if (strncmp(name, "postgresql://", 13) == 0 ||
	    strncmp(name, "postgres://", 11) == 0)
		return 1;
	/* A libpq conninfo: "key=value ..." with a known first key.  A file
	 * called "host=x" would need "./host=x" to be a SQLite path. */
	eq = strchr(name, '=');
	if (eq == NULL || strchr(name, '/') == name)
		return 0;
	return strncmp(name, "host=", 5) == 0 ||
	    strncmp(name, "hostaddr=", 9) == 0 ||
	    strncmp(name, "dbname=", 7) == 0 ||
	    strncmp(name, "user=", 5) == 0 ||
	    strncmp(name, "port=", 5) == 0 ||
	    strncmp(name, "service=", 8) == 0;
}

char *
pp_db_shown_name(const char *name)
{
	struct pp_buf b = PP_BUF_INIT;
	const char *p = name, *at, *colon, *slash, *end;

	if (!pp_db_is_url(name)) {
		pp_buf_addstr(&b, name);
		return pp_buf_detach(&b, NULL);
	}
	if ((slash = strstr(name, "://")) != NULL) {
		end = slash + 3 + strcspn(slash + 3, "/?");
		at = memchr(slash + 3, '@', (size_t)(end - slash - 3));
		colon = at ? memchr(slash + 3, ':', (size_t)(at - slash - 3))
			   : NULL;
		if (colon != NULL) {
			pp_buf_add(&b, name, (size_t)(colon + 1 - name));
			pp_buf_addstr(&b, "***");
			p = at;
		}
	}
	while ((at = strstr(p, "password=")) != NULL) {
		pp_buf_add(&b, p, (size_t)(at + 9 - p));
		pp_buf_addstr(&b, "***");
		p = at + 9 + strcspn(at + 9, " &");
	}
	pp_buf_addstr(&b, p);
	return pp_buf_detach(&b, NULL);
}

struct pp_db *
pp_db_open(const char *name, unsigned flags, char **why)
{
	const struct pp_db_methods *m = pp_db_is_url(name) ? &pp_db_pg
							   : &pp_db_sqlite;

	*why = NULL;
	return m->open(name, flags, why);
}

const char *
pp_db_dialect(const struct pp_db *db)
{
	return db->m->name;
}

int
pp_db_is_pg(const struct pp_db *db)
{
	return db->m == &pp_db_pg;
}

void
pp_db_close(struct pp_db *db)
{
	if (db != NULL)
		db->m->close(db);
}

int
pp_db_exec(struct pp_db *db, const char *sql)
{
	return db->m->exec(db, sql);
}

int
pp_db_begin(struct pp_db *db, enum pp_db_tx tx)
{
	return db->m->begin(db, tx);
}

struct pp_db_stmt *
pp_db_prepare(struct pp_db *db, const char *sql)
{
	return db->m->prepare(db, sql);
}

void
pp_db_bind_null(struct pp_db_stmt *st, int i)
{
	st->db->m->bind_null(st, i);
}

void
pp_db_bind_int64(struct pp_db_stmt *st, int i, int64_t v)
{
	st->db->m->bind_int64(st, i, v);
}

void
pp_db_bind_double(struct pp_db_stmt *st, int i, double v)
{
	st->db->m->bind_double(st, i, v);
}

void
pp_db_bind_text(struct pp_db_stmt *st, int i, const char *s)
{
	if (s == NULL)
		st->db->m->bind_null(st, i);
	else
		st->db->m->bind_text(st, i, s);
}

void
pp_db_bind_blob(struct pp_db_stmt *st, int i, const void *p, size_t n)
{
	st->db->m->bind_blob(st, i, p, n);
}

int
pp_db_step(struct pp_db_stmt *st)
{
	return st->db->m->step(st);
}

void
pp_db_reset(struct pp_db_stmt *st)
{
	st->db->m->reset(st);
}

void
pp_db_finalize(struct pp_db_stmt *st)
{
	if (st != NULL)
		st->db->m->finalize(st);
}

int
pp_db_column_count(struct pp_db_stmt *st)
{
	return st->db->m->column_count(st);
}

const char *
pp_db_column_name(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_name(st, i);
}

enum pp_db_type
pp_db_column_type(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_type(st, i);
}

int64_t
pp_db_column_int64(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_int64(st, i);
}

double
pp_db_column_double(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_double(st, i);
}

const char *
pp_db_column_text(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_text(st, i);
}

const void *
pp_db_column_blob(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_blob(st, i);
}

size_t
pp_db_column_bytes(struct pp_db_stmt *st, int i)
{
	return st->db->m->column_bytes(st, i);
}

int64_t
pp_db_changes(struct pp_db *db)
{
	return db->m->changes(db);
}

const char *
pp_db_errmsg(struct pp_db *db)
{
	return db->m->errmsg(db);
}

int
pp_db_busy(struct pp_db *db)
{
	return db->m->busy(db);
}

enum pp_db_failure
pp_db_failure(struct pp_db *db)
{
	return db->m->failure(db);
}

void
pp_db_set_deadline(struct pp_db *db, int64_t mono_ms)
{
	db->m->set_deadline(db, mono_ms);
}
