/*
 * lazylib.c - libpq, libxgboost and libcurl opened at their first call
 * (see lazylib.h for why).
 *
 * Each forwarded function is one line of a list below: its return type,
 * name, parameters, arguments and the value it returns when the library
 * cannot be opened.  The pointer to the real function has the type of the
 * header's declaration (__typeof__), so a list line that does not match
 * the header does not compile.  The lists must name every function libpp
 * calls: one missing is an undefined symbol at link time, since none of
 * the libraries is linked.
 */
/* curl.h's type-checking macros would hide the two variadic functions
 * defined here. */
#define CURL_DISABLE_TYPECHECK
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <xgboost/c_api.h>

#include "lazylib.h"
#include "banned.h"

struct lib {
	const char *soname;
	pthread_once_t once;
	int ok;
	char why[256];
};

struct sym {
	const char *name;
	void *slot;		/* the function pointer to set */
};

/* Open l and set each of syms' pointers; l->ok, or l->why. */
static void
open_lib(struct lib *l, const struct sym *syms, size_t n)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (h == NULL) {
		const char *e = dlerror();

		snprintf(l->why, sizeof(l->why), "%s", e ? e : l->soname);
		return;
	}
	for (i = 0; i < n; i++) {
		void *f = dlsym(h, syms[i].name);

		if (f == NULL) {
			snprintf(l->why, sizeof(l->why), "%s: no function %s",
			    l->soname, syms[i].name);
			return;		/* h stays open: harmless */
		}
		memcpy(syms[i].slot, &f, sizeof(f));
	}
	l->ok = 1;
}

/* The pointers, the table for open_lib, and the functions that forward.
 * F: a function returning a value; V: one returning void. */
#define PTR(ret, name, params, args, fail)	\
	static __typeof__(name) *p_##name;
#define VPTR(name, params, args)		\
	static __typeof__(name) *p_##name;
#define SYM(ret, name, params, args, fail)	{ #name, &p_##name },
#define VSYM(name, params, args)		{ #name, &p_##name },
#define FWD(lib, ret, name, params, args, fail)	\
	ret name params { return lib() ? p_##name args : fail; }
#define VFWD(lib, name, params, args)		\
	void name params { if (lib()) p_##name args; }

/* ---- libpq ---- */

#define PQ_LIST(F, V)							\
	V(PQclear, (PGresult *res), (res))				\
	F(char *, PQcmdTuples, (PGresult *res), (res), NULL)		\
	F(PGconn *, PQconnectdb, (const char *conninfo), (conninfo), NULL) \
	F(char *, PQerrorMessage, (const PGconn *conn), (conn),		\
	    (char *)"libpq not loaded")					\
	F(PGresult *, PQexec, (PGconn *conn, const char *query),	\
	    (conn, query), NULL)					\
	F(PGresult *, PQexecParams, (PGconn *conn, const char *command, \
	    int nParams, const Oid *paramTypes,				\
	    const char *const *paramValues, const int *paramLengths,	\
	    const int *paramFormats, int resultFormat), (conn, command,	\
	    nParams, paramTypes, paramValues, paramLengths, paramFormats, \
	    resultFormat), NULL)					\
	F(PGresult *, PQexecPrepared, (PGconn *conn, const char *stmtName, \
	    int nParams, const char *const *paramValues,		\
	    const int *paramLengths, const int *paramFormats,		\
	    int resultFormat), (conn, stmtName, nParams, paramValues,	\
	    paramLengths, paramFormats, resultFormat), NULL)		\
	V(PQfinish, (PGconn *conn), (conn))				\
	F(char *, PQfname, (const PGresult *res, int field_num),	\
	    (res, field_num), NULL)					\
	V(PQfreemem, (void *ptr), (ptr))				\
	F(Oid, PQftype, (const PGresult *res, int field_num),		\
	    (res, field_num), 0)					\
	F(int, PQgetisnull, (const PGresult *res, int tup_num,		\
	    int field_num), (res, tup_num, field_num), 1)		\
	F(int, PQgetlength, (const PGresult *res, int tup_num,		\
	    int field_num), (res, tup_num, field_num), 0)		\
	F(char *, PQgetvalue, (const PGresult *res, int tup_num,	\
	    int field_num), (res, tup_num, field_num), NULL)		\
	F(int, PQnfields, (const PGresult *res), (res), 0)		\
	F(int, PQntuples, (const PGresult *res), (res), 0)		\
	F(PGresult *, PQprepare, (PGconn *conn, const char *stmtName,	\
	    const char *query, int nParams, const Oid *paramTypes),	\
	    (conn, stmtName, query, nParams, paramTypes), NULL)		\
	F(char *, PQresultErrorField, (const PGresult *res,		\
	    int fieldcode), (res, fieldcode), NULL)			\
	F(ExecStatusType, PQresultStatus, (const PGresult *res), (res),	\
	    PGRES_FATAL_ERROR)						\
	F(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn,	\
	    PQnoticeProcessor proc, void *arg), (conn, proc, arg), NULL) \
	F(ConnStatusType, PQstatus, (const PGconn *conn), (conn),	\
	    CONNECTION_BAD)						\
	F(unsigned char *, PQunescapeBytea, (const unsigned char *strtext, \
	    size_t *retbuflen), (strtext, retbuflen), NULL)

PQ_LIST(PTR, VPTR)

static const struct sym pq_syms[] = { PQ_LIST(SYM, VSYM) };
static struct lib pq_lib = { "libpq.so.5", PTHREAD_ONCE_INIT, 0, "" };

static void
pq_open(void)
{
	open_lib(&pq_lib, pq_syms, sizeof(pq_syms) / sizeof(pq_syms[0]));
}

static int
pq(void)
{
	pthread_once(&pq_lib.once, pq_open);
	return pq_lib.ok;
}

const char *
pp_lazy_pq_error(void)
{
	return pq() ? NULL : pq_lib.why;
}

#define PQ_FWD(ret, name, params, args, fail)	\
	FWD(pq, ret, name, params, args, fail)
#define PQ_VFWD(name, params, args)		\
	VFWD(pq, name, params, args)
PQ_LIST(PQ_FWD, PQ_VFWD)

/* ---- libxgboost ---- */

#define XGB_LIST(F, V)							\
	F(int, XGBSetGlobalConfig, (char const *config), (config), -1)	\
	F(int, XGBoosterBoostedRounds, (BoosterHandle handle, int *out), \
	    (handle, out), -1)						\
	F(int, XGBoosterCreate, (const DMatrixHandle dmats[],		\
	    bst_ulong len, BoosterHandle *out), (dmats, len, out), -1)	\
	F(int, XGBoosterEvalOneIter, (BoosterHandle handle, int iter,	\
	    DMatrixHandle dmats[], const char *evnames[], bst_ulong len, \
	    const char **out_result), (handle, iter, dmats, evnames, len, \
	    out_result), -1)						\
	F(int, XGBoosterFeatureScore, (BoosterHandle handle,		\
	    const char *config, bst_ulong *out_n_features,		\
	    char const ***out_features, bst_ulong *out_dim,		\
	    bst_ulong const **out_shape, float const **out_scores),	\
	    (handle, config, out_n_features, out_features, out_dim,	\
	    out_shape, out_scores), -1)					\
	F(int, XGBoosterFree, (BoosterHandle handle), (handle), -1)	\
	F(int, XGBoosterGetNumFeature, (BoosterHandle handle,		\
	    bst_ulong *out), (handle, out), -1)				\
	F(int, XGBoosterLoadModelFromBuffer, (BoosterHandle handle,	\
	    const void *buf, bst_ulong len), (handle, buf, len), -1)	\
	F(int, XGBoosterPredictFromDMatrix, (BoosterHandle handle,	\
	    DMatrixHandle dmat, char const *config,			\
	    bst_ulong const **out_shape, bst_ulong *out_dim,		\
	    float const **out_result), (handle, dmat, config, out_shape, \
	    out_dim, out_result), -1)					\
	F(int, XGBoosterPredictFromDense, (BoosterHandle handle,	\
	    char const *values, char const *config, DMatrixHandle m,	\
	    bst_ulong const **out_shape, bst_ulong *out_dim,		\
	    const float **out_result), (handle, values, config, m,	\
	    out_shape, out_dim, out_result), -1)			\
	F(int, XGBoosterSaveModelToBuffer, (BoosterHandle handle,	\
	    char const *config, bst_ulong *out_len,			\
	    char const **out_dptr), (handle, config, out_len, out_dptr), \
	    -1)								\
	F(int, XGBoosterSetParam, (BoosterHandle handle,		\
	    const char *name, const char *value), (handle, name, value), \
	    -1)								\
	F(int, XGBoosterSlice, (BoosterHandle handle, int begin_layer,	\
	    int end_layer, int step, BoosterHandle *out), (handle,	\
	    begin_layer, end_layer, step, out), -1)			\
	F(int, XGBoosterUpdateOneIter, (BoosterHandle handle, int iter,	\
	    DMatrixHandle dtrain), (handle, iter, dtrain), -1)		\
	F(int, XGDMatrixCreateFromMat_omp, (const float *data,		\
	    bst_ulong nrow, bst_ulong ncol, float missing,		\
	    DMatrixHandle *out, int nthread), (data, nrow, ncol, missing, \
	    out, nthread), -1)						\
	F(int, XGDMatrixFree, (DMatrixHandle handle), (handle), -1)	\
	F(int, XGDMatrixSetFloatInfo, (DMatrixHandle handle,		\
	    const char *field, const float *array, bst_ulong len),	\
	    (handle, field, array, len), -1)				\
	F(int, XGProxyDMatrixCreate, (DMatrixHandle *out), (out), -1)	\
	F(int, XGProxyDMatrixSetDataDense, (DMatrixHandle handle,	\
	    char const *c_interface_str), (handle, c_interface_str), -1) \
	F(int, XGQuantileDMatrixCreateFromCallback, (DataIterHandle iter, \
	    DMatrixHandle proxy, DataIterHandle ref,			\
	    DataIterResetCallback *reset, XGDMatrixCallbackNext *next,	\
	    char const *config, DMatrixHandle *out), (iter, proxy, ref,	\
	    reset, next, config, out), -1)

/* XGBGetLastError and XGBoostVersion are apart: what they give when the
 * library is not open is ours. */
static __typeof__(XGBGetLastError) *p_XGBGetLastError;
static __typeof__(XGBoostVersion) *p_XGBoostVersion;
XGB_LIST(PTR, VPTR)

static const struct sym xgb_syms[] = {
	{ "XGBGetLastError", &p_XGBGetLastError },
	{ "XGBoostVersion", &p_XGBoostVersion },
	XGB_LIST(SYM, VSYM)
};
static struct lib xgb_lib = { "libxgboost.so.0", PTHREAD_ONCE_INIT, 0, "" };

static void
xgb_open(void)
{
	open_lib(&xgb_lib, xgb_syms, sizeof(xgb_syms) / sizeof(xgb_syms[0]));
}

static int
xgb(void)
{
	pthread_once(&xgb_lib.once, xgb_open);
	return xgb_lib.ok;
}

const char *
pp_lazy_xgb_error(void)
{
	return xgb() ? NULL : xgb_lib.why;
}

const char *
XGBGetLastError(void)
{
	return xgb() ? p_XGBGetLastError() : xgb_lib.why;
}

void
XGBoostVersion(int *major, int *minor, int *patch)
{
	if (xgb()) {
		p_XGBoostVersion(major, minor, patch);
		return;
	}
	*major = *minor = *patch = 0;
}

#define XGB_FWD(ret, name, params, args, fail)	\
	FWD(xgb, ret, name, params, args, fail)
#define XGB_VFWD(name, params, args)		\
	VFWD(xgb, name, params, args)
XGB_LIST(XGB_FWD, XGB_VFWD)

/* ---- libcurl ---- */

/* curl_easy_strerror is apart: when the library is not open, its text is
 * why not, so "cannot initialise libcurl: ..." gives the loader's reason
 * (curl_global_init is the first call http.c makes). */
#define CURL_LIST(F, V)							\
	V(curl_easy_cleanup, (CURL *h), (h))			\
	F(CURL *, curl_easy_init, (void), (), NULL)			\
	F(CURLcode, curl_easy_perform, (CURL *h), (h),		\
	    CURLE_FAILED_INIT)						\
	F(time_t, curl_getdate, (const char *p, const time_t *unused),	\
	    (p, unused), -1)						\
	V(curl_global_cleanup, (void), ())				\
	F(CURLcode, curl_global_init, (long flags), (flags),		\
	    CURLE_FAILED_INIT)

static __typeof__(curl_easy_strerror) *p_curl_easy_strerror;
static __typeof__(curl_easy_setopt) *p_curl_easy_setopt;
static __typeof__(curl_easy_getinfo) *p_curl_easy_getinfo;
CURL_LIST(PTR, VPTR)

static const struct sym curl_syms[] = {
	{ "curl_easy_strerror", &p_curl_easy_strerror },
	{ "curl_easy_setopt", &p_curl_easy_setopt },
	{ "curl_easy_getinfo", &p_curl_easy_getinfo },
	CURL_LIST(SYM, VSYM)
};
static struct lib curl_lib = { "libcurl.so.4", PTHREAD_ONCE_INIT, 0, "" };

static void
curl_open(void)
{
	open_lib(&curl_lib, curl_syms, sizeof(curl_syms) / sizeof(curl_syms[0]));
}

static int
curl(void)
{
	pthread_once(&curl_lib.once, curl_open);
	return curl_lib.ok;
}

const char *
curl_easy_strerror(CURLcode code)
{
	return curl() ? p_curl_easy_strerror(code) : curl_lib.why;
}

/*
 * The variadic two.  curl_easy_setopt's argument has the type the
 * option's number range gives (curl.h: CURLOPTTYPE_*): a long, an object
 * pointer, a function pointer, a curl_off_t or a blob pointer.
 * curl_easy_getinfo's is always a pointer.
 */
CURLcode
curl_easy_setopt(CURL *h, CURLoption option, ...)
{
	va_list ap;
	CURLcode rc;

	if (!curl())
		return CURLE_FAILED_INIT;
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = p_curl_easy_setopt(h, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = p_curl_easy_setopt(h, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = p_curl_easy_setopt(h, option,
		    va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = p_curl_easy_setopt(h, option, va_arg(ap, curl_off_t));
	else
		rc = p_curl_easy_setopt(h, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	if (!curl())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = p_curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

#define CURL_FWD(ret, name, params, args, fail)	\
	FWD(curl, ret, name, params, args, fail)
#define CURL_VFWD(name, params, args)		\
	VFWD(curl, name, params, args)
CURL_LIST(CURL_FWD, CURL_VFWD)
