/*
 * db_pg.c - db.h's PostgreSQL backend, on libpq.  The one idea: a
 * statement is its SQL with SQLite's "?" and "?N" rewritten to "$N"
 * (outside quotes) and an array of bound values; the first step runs it
 * with PQexecParams, every value sent as a parameter (never spliced into
 * the SQL text), and later steps walk the result's rows.  Values go as
 * text with their type named (int8, float8, text) and blobs in binary as
 * bytea, so the server parses nothing ambiguous.  Column types come back
 * from the result's type OIDs and map onto SQLite's five.
 *
 * Statements are not prepared on the server: a registry call runs a few
 * short statements once each, and an unnamed PQexecParams costs one round
 * trip where PQprepare plus PQexecPrepared costs two.
 *
 * libpq is loaded when a PostgreSQL registry is first opened, not linked:
 * it brings some twenty libraries along (TLS, Kerberos, LDAP), and
 * loading and relocating them cost every program about 15 ms at each
 * start, a registry opened or not.  Its functions are called through
 * pointers of their own types, under their own names (the macros below).
 */
#include "db.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <libpq-fe.h>

#include "buf.h"
#include "util.h"
#include "banned.h"

#define PQ_SONAME "libpq.so.5"
#define PQ_FUNCS(X) \
	X(PQclear) X(PQcmdTuples) X(PQconnectdb) \
	X(PQerrorMessage) X(PQexec) X(PQexecParams) \
	X(PQexecPrepared) X(PQfinish) X(PQfname) \
	X(PQfreemem) X(PQftype) X(PQgetisnull) \
	X(PQgetlength) X(PQgetvalue) X(PQnfields) \
	X(PQntuples) X(PQprepare) X(PQresultErrorField) \
	X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus) \
	X(PQunescapeBytea)
#define PQ_POINTER(f) static __typeof__(f) *pq_##f;
PQ_FUNCS(PQ_POINTER)
#define PQclear (*pq_PQclear)
#define PQcmdTuples (*pq_PQcmdTuples)
#define PQconnectdb (*pq_PQconnectdb)
#define PQerrorMessage (*pq_PQerrorMessage)
#define PQexec (*pq_PQexec)
#define PQexecParams (*pq_PQexecParams)
#define PQexecPrepared (*pq_PQexecPrepared)
#define PQfinish (*pq_PQfinish)
#define PQfname (*pq_PQfname)
#define PQfreemem (*pq_PQfreemem)
#define PQftype (*pq_PQftype)
#define PQgetisnull (*pq_PQgetisnull)
#define PQgetlength (*pq_PQgetlength)
#define PQgetvalue (*pq_PQgetvalue)
#define PQnfields (*pq_PQnfields)
#define PQntuples (*pq_PQntuples)
#define PQprepare (*pq_PQprepare)
#define PQresultErrorField (*pq_PQresultErrorField)
#define PQresultStatus (*pq_PQresultStatus)
#define PQsetNoticeProcessor (*pq_PQsetNoticeProcessor)
#define PQstatus (*pq_PQstatus)
#define PQunescapeBytea (*pq_PQunescapeBytea)

static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_why[256];	/* why libpq could not be had, or "" */

static void
pq_load_once(void)
{
	void *h = dlopen(PQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (h == NULL) {
		e = dlerror();
		snprintf(pq_why, sizeof(pq_why), "cannot load PostgreSQL's "
		    "client library: %s", e ? e : PQ_SONAME);
		return;
	}
#define PQ_LOAD(f) \
	if ((pq_##f = (__typeof__(pq_##f))dlsym(h, #f)) == NULL) { \
		snprintf(pq_why, sizeof(pq_why), "%s: no function %s", \
		    PQ_SONAME, #f); \
		return; \
	}
	PQ_FUNCS(PQ_LOAD)
#undef PQ_LOAD
}

/* 0 with libpq's functions set, else -1 and *why (allocated). */
static int
pq_load(char **why)
{
	pthread_once(&pq_once, pq_load_once);
	if (pq_why[0] == '\0')
		return 0;
	*why = pp_xstrdup(pq_why);
	return -1;
}

/* Type OIDs (pg_type.h, stable since PostgreSQL 7). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

struct pg {
	struct pp_db base;
	PGconn *conn;
	struct pp_buf msg;	/* the last failure */
	char state[6];		/* its SQLSTATE, or "" */
	int64_t changes;
};

struct pg_param {
	char *value;		/* NULL: SQL NULL */
	int len;
	int binary;
	Oid type;
};

struct pg_stmt {
	struct pp_db_stmt base;
	char *sql;		/* with $N */
	int nparams;
	struct pg_param *p;
	PGresult *res;		/* NULL until the first step */
	int row;		/* the current row of res */
	unsigned char **blobs;	/* per column, unescaped for this row */
	size_t *nblob;
};

#define PG(d) ((struct pg *)(void *)(d))
#define PST(s) ((struct pg_stmt *)(void *)(s))

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Keep the failure of res (or of the connection) for errmsg and busy. */
static void
fail(struct pg *g, const PGresult *res)
{
	const char *m = NULL, *s = NULL;
	size_t n;

	if (res != NULL) {
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	}
	if (m == NULL)
		m = PQerrorMessage(g->conn);
	pp_buf_reset(&g->msg);
	pp_buf_addstr(&g->msg, m);
	n = g->msg.len;
	while (n > 0 && (g->msg.data[n - 1] == '\n' ||
	    g->msg.data[n - 1] == ' '))
		n--;
	pp_buf_setlen(&g->msg, n);
	snprintf(g->state, sizeof(g->state), "%s", s ? s : "");
}

static struct pp_db *
pg_open(const char *url, unsigned flags, char **why)
{
	struct pg *g;
	PGresult *res;

	if (pq_load(why) == -1)
		return NULL;
	g = pp_xcalloc(1, sizeof(*g));
	g->base.m = &pp_db_pg;
	pp_buf_init(&g->msg);
	g->conn = PQconnectdb(url);
	if (g->conn == NULL || PQstatus(g->conn) != CONNECTION_OK) {
		struct pp_buf m = PP_BUF_INIT;

		pp_buf_addstr(&m, g->conn ? PQerrorMessage(g->conn)
					  : "out of memory");
		while (m.len > 0 && (m.data[m.len - 1] == '\n' ||
		    m.data[m.len - 1] == ' '))
			pp_buf_setlen(&m, m.len - 1);
		*why = pp_buf_detach(&m, NULL);
		PQfinish(g->conn);
		pp_buf_release(&g->msg);
		free(g);
		return NULL;
	}
	PQsetNoticeProcessor(g->conn, ignore_notice, NULL);
	/* Doubles as the shortest text that reads back to the same bits
	 * (PostgreSQL 12 on), times in UTC, quiet notices. */
	res = PQexec(g->conn, (flags & PP_DB_READONLY) ?
	    "SET extra_float_digits = 3; SET client_min_messages = warning; "
	    "SET TIME ZONE 'UTC'; SET default_transaction_read_only = on" :
	    "SET extra_float_digits = 3; SET client_min_messages = warning; "
	    "SET TIME ZONE 'UTC'");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(g, res);
		*why = pp_xstrdup(g->msg.data);
		PQclear(res);
		PQfinish(g->conn);
		pp_buf_release(&g->msg);
		free(g);
		return NULL;
	}
	PQclear(res);
	return &g->base;
}

static void
pg_close(struct pp_db *db)
{
	PQfinish(PG(db)->conn);
	pp_buf_release(&PG(db)->msg);
	free(db);
}

static int
pg_exec(struct pp_db *db, const char *sql)
{
	PGresult *res = PQexec(PG(db)->conn, sql);
	ExecStatusType s = PQresultStatus(res);
	int rc = 0;

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		fail(PG(db), res);
		rc = -1;
	} else {
		PG(db)->changes = strtoll(PQcmdTuples(res), NULL, 10);
	}
	PQclear(res);
	return rc;
}

/*
 * A read sees one snapshot (REPEATABLE READ, as SQLite's deferred BEGIN
 * does); a write runs READ COMMITTED and takes row locks where it reads
 * what it then changes (registry.c says where and why).
 */
static int
pg_begin(struct pp_db *db, enum pp_db_tx tx)
{
	return pg_exec(db, tx == PP_DB_TX_WRITE ? "BEGIN" :
	    "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/*
 * SQLite's parameters to PostgreSQL's: "?N" becomes "$N", a bare "?" the
 * next number after the largest so far (SQLite's rule).  Quoted strings
 * and identifiers are copied as they are.  Returns the largest number.
 */
static int
rewrite(const char *sql, struct pp_buf *out)
{
	int max = 0;
	const char *p;

	for (p = sql; *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			const char *q = strchr(p + 1, *p);

			if (q == NULL)
				q = p + strlen(p) - 1;
			pp_buf_add(out, p, (size_t)(q - p + 1));
			p = q;
		} else if (*p == '?') {
			long n = 0;

			while (p[1] >= '0' && p[1] <= '9')
				n = n * 10 + (*++p - '0');
			if (n == 0)
				n = max + 1;
			if (n > max)
				max = (int)n;
			pp_buf_addf(out, "$%ld", n);
		} else {
			pp_buf_addc(out, *p);
		}
	}
	return max;
}

static struct pp_db_stmt *
pg_prepare(struct pp_db *db, const char *sql)
{
	struct pg_stmt *s = pp_xcalloc(1, sizeof(*s));
	struct pp_buf b = PP_BUF_INIT;

	s->base.db = db;
	s->nparams = rewrite(sql, &b);
	s->sql = pp_buf_detach(&b, NULL);
	s->p = pp_xcalloc((size_t)s->nparams + 1, sizeof(*s->p));
	return &s->base;
}

static void
drop_row(struct pg_stmt *s)
{
	int i, n = s->res ? PQnfields(s->res) : 0;

	if (s->blobs != NULL)
		for (i = 0; i < n; i++) {
			PQfreemem(s->blobs[i]);
			s->blobs[i] = NULL;
		}
}

static void
drop_result(struct pg_stmt *s)
{
	drop_row(s);
	free(s->blobs);
	free(s->nblob);
	s->blobs = NULL;
	s->nblob = NULL;
	PQclear(s->res);
	s->res = NULL;
}

static struct pg_param *
param(struct pp_db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	drop_result(s);
	if (i < 1 || i > s->nparams)
		return NULL;
	free(s->p[i - 1].value);
	memset(&s->p[i - 1], 0, sizeof(s->p[i - 1]));
	return &s->p[i - 1];
}

static void
pg_bind_null(struct pp_db_stmt *st, int i)
{
	param(st, i);
}

static void
pg_bind_int64(struct pp_db_stmt *st, int i, int64_t v)
{
	struct pg_param *p = param(st, i);
	char num[32];

	if (p == NULL)
		return;
	snprintf(num, sizeof(num), "%" PRId64, v);
	p->value = pp_xstrdup(num);
	p->type = OID_INT8;
}

static void
pg_bind_double(struct pp_db_stmt *st, int i, double v)
{
	struct pg_param *p = param(st, i);
	char num[32];

	if (p == NULL)
		return;
	if (isnan(v))
		snprintf(num, sizeof(num), "NaN");
	else if (isinf(v))
		snprintf(num, sizeof(num), "%sInfinity", v < 0 ? "-" : "");
	else
		snprintf(num, sizeof(num), "%.17g", v);
	p->value = pp_xstrdup(num);
	p->type = OID_FLOAT8;
}

static void
pg_bind_text(struct pp_db_stmt *st, int i, const char *v)
{
	struct pg_param *p = param(st, i);

	if (p == NULL)
		return;
	p->value = pp_xstrdup(v);
	p->type = OID_TEXT;
}

static void
pg_bind_blob(struct pp_db_stmt *st, int i, const void *v, size_t n)
{
	struct pg_param *p = param(st, i);

	if (p == NULL)
		return;
	p->value = pp_xmalloc(n ? n : 1);
	memcpy(p->value, v, n);
	p->len = (int)n;
	p->binary = 1;
	p->type = OID_BYTEA;
}

/* Run the statement: PP_DB_ROW with the first row current, PP_DB_DONE,
 * or PP_DB_ERROR. */
static int
run(struct pg_stmt *s)
{
	struct pg *g = PG(s->base.db);
	int n = s->nparams, i;
	const char **vals = pp_xcalloc((size_t)n + 1, sizeof(*vals));
	int *lens = pp_xcalloc((size_t)n + 1, sizeof(*lens));
	int *fmts = pp_xcalloc((size_t)n + 1, sizeof(*fmts));
	Oid *types = pp_xcalloc((size_t)n + 1, sizeof(*types));
	ExecStatusType st;

	for (i = 0; i < n; i++) {
		vals[i] = s->p[i].value;
		lens[i] = s->p[i].len;
		fmts[i] = s->p[i].binary;
		types[i] = s->p[i].type;
	}
	s->res = PQexecParams(g->conn, s->sql, n, types, vals, lens, fmts, 0);
	free(vals);
	free(lens);
	free(fmts);
	free(types);
	st = PQresultStatus(s->res);
	if (st == PGRES_COMMAND_OK) {
		g->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		return PP_DB_DONE;
	}
	if (st != PGRES_TUPLES_OK) {
		fail(g, s->res);
		PQclear(s->res);
		s->res = NULL;
		return PP_DB_ERROR;
	}
	s->row = 0;
	s->blobs = pp_xcalloc((size_t)PQnfields(s->res) + 1,
	    sizeof(*s->blobs));
	s->nblob = pp_xcalloc((size_t)PQnfields(s->res) + 1,
	    sizeof(*s->nblob));
	return PQntuples(s->res) > 0 ? PP_DB_ROW : PP_DB_DONE;
}

static int
pg_step(struct pp_db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	if (s->res == NULL)
		return run(s);
	if (PQresultStatus(s->res) != PGRES_TUPLES_OK)
		return PP_DB_DONE;
	drop_row(s);
	if (s->row + 1 >= PQntuples(s->res)) {
		s->row = PQntuples(s->res);
		return PP_DB_DONE;
	}
	s->row++;
	return PP_DB_ROW;
}

static void
pg_reset(struct pp_db_stmt *st)
{
	drop_result(PST(st));
}

static void
pg_finalize(struct pp_db_stmt *st)
{
	struct pg_stmt *s = PST(st);
	int i;

	drop_result(s);
	for (i = 0; i < s->nparams; i++)
		free(s->p[i].value);
	free(s->p);
	free(s->sql);
	free(s);
}

static int
have(struct pg_stmt *s, int i)
{
	return s->res != NULL && PQresultStatus(s->res) == PGRES_TUPLES_OK &&
	    i >= 0 && i < PQnfields(s->res);
}

static int
pg_column_count(struct pp_db_stmt *st)
{
	struct pg_stmt *s = PST(st);

	return s->res ? PQnfields(s->res) : 0;
}

static const char *
pg_column_name(struct pp_db_stmt *st, int i)
{
	return have(PST(st), i) ? PQfname(PST(st)->res, i) : "";
}

static int
on_row(struct pg_stmt *s, int i)
{
	return have(s, i) && s->row < PQntuples(s->res) &&
	    !PQgetisnull(s->res, s->row, i);
}

static enum pp_db_type
pg_column_type(struct pp_db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	if (!on_row(s, i))
		return PP_DB_NULL;
	switch (PQftype(s->res, i)) {
	case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8:
	case OID_OID:
		return PP_DB_INT;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return PP_DB_FLOAT;
	case OID_BYTEA:
		return PP_DB_BLOB;
	default:
		return PP_DB_TEXT;
	}
}

static const char *
pg_column_text(struct pp_db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	return on_row(s, i) ? PQgetvalue(s->res, s->row, i) : NULL;
}

static int64_t
pg_column_int64(struct pp_db_stmt *st, int i)
{
	const char *v = pg_column_text(st, i);

	if (v == NULL)
		return 0;
	if (PQftype(PST(st)->res, i) == OID_BOOL)
		return *v == 't';
	if (PQftype(PST(st)->res, i) == OID_FLOAT8 ||
	    PQftype(PST(st)->res, i) == OID_NUMERIC)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct pp_db_stmt *st, int i)
{
	const char *v = pg_column_text(st, i);

	return v == NULL ? 0 : strtod(v, NULL);
}

static const void *
pg_column_blob(struct pp_db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);
	const char *v = pg_column_text(st, i);

	if (v == NULL)
		return NULL;
	if (PQftype(s->res, i) != OID_BYTEA) {
		s->nblob[i] = strlen(v);
		return v;
	}
	if (s->blobs[i] == NULL)
		s->blobs[i] = PQunescapeBytea((const unsigned char *)v,
		    &s->nblob[i]);
	return s->blobs[i];
}

static size_t
pg_column_bytes(struct pp_db_stmt *st, int i)
{
	struct pg_stmt *s = PST(st);

	if (!on_row(s, i))
		return 0;
	if (PQftype(s->res, i) == OID_BYTEA) {
		pg_column_blob(st, i);
		return s->nblob[i];
	}
	return (size_t)PQgetlength(s->res, s->row, i);
}

static int64_t
pg_changes(struct pp_db *db)
{
	return PG(db)->changes;
}

static const char *
pg_errmsg(struct pp_db *db)
{
	return PG(db)->msg.data;
}

/* serialization_failure, deadlock_detected, lock_not_available. */
static int
pg_busy(struct pp_db *db)
{
	const char *s = PG(db)->state;

	return strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 ||
	    strcmp(s, "55P03") == 0;
}

static enum pp_db_failure
pg_failure(struct pp_db *db)
{
	(void)db;
	return PP_DB_F_OTHER;
}

static void
pg_set_deadline(struct pp_db *db, int64_t ms)
{
	(void)db;
	(void)ms;
}

const struct pp_db_methods pp_db_pg = {
	"postgresql", pg_open, pg_close, pg_exec, pg_begin, pg_prepare,
	pg_bind_null, pg_bind_int64, pg_bind_double, pg_bind_text,
	pg_bind_blob, pg_step, pg_reset, pg_finalize,
	pg_column_count, pg_column_name, pg_column_type,
	pg_column_int64, pg_column_double, pg_column_text,
	pg_column_blob, pg_column_bytes, pg_changes, pg_errmsg,
	pg_busy, pg_failure, pg_set_deadline,
};
