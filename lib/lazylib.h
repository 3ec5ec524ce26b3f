/*
 * lazylib.h - libpq, libxgboost and libcurl opened at their first call,
 * not at start.
 *
 * Every program links libpp, and libpp calls libpq (db_pg.c), libxgboost
 * (gbdt.c) and libcurl (http.c).  Linked the usual way, the dynamic
 * loader maps and relocates them and their dependencies (OpenSSL,
 * Kerberos, LDAP, GnuTLS, libgomp, libstdc++) in every process: measured
 * 15 ms of processor time and 30 ms of wall time for libpq, another 10
 * and 20 for libxgboost, in a pp cat that otherwise takes 150 ms; libcurl
 * and its 29 libraries took pp-fetch from 7 ms of processor time and 117
 * page faults to 28 ms and 549.  Most runs never use them.
 *
 * So lazylib.c defines, under their own names and with the prototypes of
 * the libraries' headers, exactly the functions libpp calls; the first
 * call of one opens the library (dlopen of its soname, once, thread-safe)
 * and every call forwards to the real function.  db_pg.c and gbdt.c are
 * unchanged but for asking why a library could not be opened.
 *
 * When the library cannot be opened, the calls fail the way the library
 * reports failure: PQconnectdb returns NULL, the XGBoost calls -1 with
 * pp_lazy_xgb_error() as XGBGetLastError's text, XGBoostVersion 0.0.0;
 * the curl calls CURLE_FAILED_INIT (curl_easy_init NULL), with the
 * loader's reason as curl_easy_strerror's text.
 */
#ifndef PP_LAZYLIB_H
#define PP_LAZYLIB_H

/* NULL if libpq is (or now is) open, else why not (static text). */
const char *pp_lazy_pq_error(void);
/* The same for libxgboost. */
const char *pp_lazy_xgb_error(void);

#endif
