/*
 * oip_plain.c - pp-serve's hot path: the usual V1 body read without
 * jansson.
 *
 * Nearly every V1 request is {"instances": [ROW, ...]} with each ROW an
 * array of the model's nfeat numbers, or an object naming each feature
 * once.  Building a jansson tree for that (a hash table per object, a
 * node per number, strtod through the locale) cost more than the rest of
 * the request together.  This reader takes exactly that shape and
 * nothing else: any other byte, key, value or count, and it says "not
 * plain" and pp_oip_decode_v1 hands the body to jansson, which decides
 * and words the error.  So the plain reader never rejects; it only
 * accepts a subset of what jansson accepts, with the same values:
 *   - the body is ASCII, keys have no escapes (so jansson's UTF-8 and NUL
 *     checks cannot differ), the root has the one key, a row object names
 *     each feature exactly once (so no duplicate keys);
 *   - numbers follow JSON's grammar and are read by pp_parse_double (the
 *     bits of glibc's strtod, as jansson reads reals); a number without
 *     '.' or exponent is an integer to jansson, converted to double after,
 *     so -0 is +0 here too, and one of more than 18 digits (which jansson
 *     may refuse as too big) is left to jansson; a real that overflows
 *     (jansson: "real number overflow") is too.
 *   - null is NaN, as value_of in oip.c has it; strings ("NaN") go to
 *     jansson.
 * fuzz_serve_json checks the two readers agree bit for bit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "oip.h"
#include "util.h"
#include "banned.h"

/* Longest number token read here; longer ones go to jansson. */
#define NUM_MAX 64

struct scan {
	const char *p, *e;
};

static void
skip_ws(struct scan *s)
{
	while (s->p < s->e && (*s->p == ' ' || *s->p == '\n' ||
	    *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* Skip space, then c; 0 if the next byte is not c. */
static int
eat(struct scan *s, char c)
{
	skip_ws(s);
	if (s->p == s->e || *s->p != c)
		return 0;
	s->p++;
	return 1;
}

static const char *
digits(const char *p, const char *e)
{
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* A JSON number or null at s->p; 0 if neither (or not plain). */
static int
value(struct scan *s, double *out)
{
	const char *p = s->p, *e = s->e, *d;
	int integer = 1;

	if (e - p >= 4 && memcmp(p, "null", 4) == 0) {
		*out = NAN;
		s->p += 4;
		return 1;
	}
	if (p < e && *p == '-')
		p++;
	d = p;
	if (p == e || *p < '0' || *p > '9')
		return 0;
	p = *p == '0' ? p + 1 : digits(p, e);
	if (integer && p - d > 18)
		return 0;
	if (p < e && *p == '.') {
		integer = 0;
		if ((d = digits(p + 1, e)) == p + 1)
			return 0;
		p = d;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		integer = 0;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if ((d = digits(p, e)) == p)
			return 0;
		p = d;
	}
	if (p - s->p > NUM_MAX || pp_parse_double(s->p, (size_t)(p - s->p),
	    out) == -1 || isinf(*out))
		return 0;
	if (integer && *out == 0)
		*out = 0;	/* jansson's integer -0 is 0 */
	s->p = p;
	return 1;
}

/* A row as an array: exactly nfeat values. */
static int
row_array(struct scan *s, size_t nfeat, double *x)
{
	size_t j;

	for (j = 0; j < nfeat; j++) {
		if (j > 0 && !eat(s, ','))
			return 0;
		skip_ws(s);
		if (!value(s, &x[j]))
			return 0;
	}
	return eat(s, ']');
}

/* A key without escapes or bytes outside printable ASCII: the feature it
 * names, or -1.  hint is where the key usually is (keys in order). */
static long
key(struct scan *s, const struct pp_model *m, size_t hint)
{
	const char *k;
	size_t n, j;

	if (!eat(s, '"'))
		return -1;
	for (k = s->p; s->p < s->e && *s->p != '"'; s->p++)
		if (*s->p == '\\' || *s->p < 0x20 || *s->p > 0x7e)
			return -1;
	if (s->p == s->e)
		return -1;
	n = (size_t)(s->p++ - k);
	for (j = 0; j < m->nfeat; j++) {
		const char *f = m->features[(hint + j) % m->nfeat];

		if (strncmp(f, k, n) == 0 && f[n] == '\0')
			return (long)((hint + j) % m->nfeat);
	}
	return -1;
}

/* A row as an object: each feature once, no other key. */
static int
row_object(struct scan *s, const struct pp_model *m, double *x,
    unsigned char *seen)
{
	size_t j;
	long f;

	memset(seen, 0, m->nfeat);
	for (j = 0; j < m->nfeat; j++) {
		if (j > 0 && !eat(s, ','))
			return 0;
		if ((f = key(s, m, j)) < 0 || seen[f]++ || !eat(s, ':'))
			return 0;
		skip_ws(s);
		if (!value(s, &x[f]))
			return 0;
	}
	return eat(s, '}');
}

/* The rows of the instances array, its '[' read. */
static int
rows(struct scan *s, const struct pp_model *m, struct pp_oip_rows *r)
{
	unsigned char *seen = NULL;
	size_t cap = 0, n = 0;
	double *x = NULL;
	int ok = 1;

	while (ok) {
		if (n > 0 && !eat(s, ','))
			break;
		if (n == PP_OIP_MAX_ROWS) {
			ok = 0;
			break;
		}
		pp_xgrow((void **)&x, &cap, (n + 1) * m->nfeat + 1,
		    sizeof(double));
		if (eat(s, '['))
			ok = row_array(s, m->nfeat, x + n * m->nfeat);
		else if (eat(s, '{')) {
			if (seen == NULL)
				seen = pp_xcalloc(m->nfeat + 1, 1);
			ok = row_object(s, m, x + n * m->nfeat, seen);
		} else
			ok = 0;
		n++;
	}
	free(seen);
	if (!ok || !eat(s, ']')) {
		free(x);
		return 0;
	}
	r->x = x;
	r->n = n;
	return 1;
}

int
pp_oip_decode_v1_plain(const char *body, size_t len,
    const struct pp_model *m, struct pp_oip_rows *r)
{
	struct scan s = { body, body + len };
	static const char kw[] = "\"instances\"";

	pp_oip_rows_release(r);
	r->nfeat = m->nfeat;
	if (body == NULL || m->nfeat == 0 || !eat(&s, '{'))
		return 1;
	skip_ws(&s);
	if ((size_t)(s.e - s.p) < sizeof(kw) - 1 ||
	    memcmp(s.p, kw, sizeof(kw) - 1) != 0)
		return 1;
	s.p += sizeof(kw) - 1;
	if (!eat(&s, ':') || !eat(&s, '[') || !rows(&s, m, r))
		return 1;
	if (!eat(&s, '}') || (skip_ws(&s), s.p != s.e)) {
		pp_oip_rows_release(r);
		return 1;
	}
	return 0;
}
