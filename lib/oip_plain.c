/*
 * oip_plain.c - pp-serve's hot path: the usual V1 and V2 bodies read
 * without jansson.
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
 * The V2 reader below keeps to the same rules.  fuzz_serve_json checks
 * the plain and the jansson readers agree bit for bit.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "oip.h"
#include "util.h"
#include "banned.h"

#if FLT_EVAL_METHOD == 0
/* 10^0 to 10^22: every one an exact double. */
static const double pow10d[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	1e20, 1e21, 1e22 };
#endif

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

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES 0x0101010101010101ULL

/* A nonzero byte for each byte of x that is not an ASCII digit (its high
 * nibble is not 3, or 6 added makes it not 3); a carry out of a byte of
 * 0xfa or more may flag the byte above it too, which only ends a run of
 * digits early: the byte loop after takes it up. */
static inline uint64_t
nondigits(uint64_t x)
{
	return ((x & 0xf0 * ONES) ^ '0' * ONES) |
	    (((x + 6 * ONES) & 0xf0 * ONES) ^ '0' * ONES);
}

/* The number written by the eight digit values (not ASCII) of x, the
 * lowest byte the most significant: pairs by one multiply-add, then two
 * multiplications weigh them by 10^6, 10^4, 10^2 and 1 into the high
 * half (as num.c's eight_digits). */
static inline uint64_t
eight(uint64_t x)
{
	x = x * 10 + (x >> 8);
	return ((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32)) +
	    ((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32))) >> 32;
}
#endif

/*
 * The digits from p on, their value folded into *w (modulo 2^64: the
 * caller knows when there were too many), and where they end.  Eight at a
 * time while eight are digits, then, with eight bytes still to read, the
 * run of fewer at the start of them in one go (moved to the top bytes,
 * where the ones below read as leading zeros), then one at a time (only
 * when fewer than eight bytes are left, or after a byte of 0xfa or more).
 */
static const char *
gather(const char *p, const char *e, uint64_t *w)
{
	uint64_t v = *w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	static const uint64_t pow10[8] = { 1, 10, 100, 1000, 10000, 100000,
		1000000, 10000000 };
	uint64_t x, f;
	int n;

	while (e - p >= 8) {
		memcpy(&x, p, sizeof(x));
		if ((f = nondigits(x)) != 0) {
			/* Bytes past the run may borrow from the ones above
			 * them; those are shifted out. */
			if ((n = __builtin_ctzll(f) >> 3) > 0) {
				x = (x - '0' * ONES) << (8 * (8 - n));
				v = v * pow10[n] + eight(x);
				p += n;
			}
			break;
		}
		v = v * 100000000 + eight(x - '0' * ONES);
		p += 8;
	}
#endif
	for (; p < e && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	*w = v;
	return p;
}

/*
 * A JSON number or null at s->p; 0 if neither (or not plain).  The digits
 * are read once: while checking the grammar they are gathered into w, and
 * a number without exponent of at most 19 digits (the usual: "0.0135...",
 * 17 significant) goes to pp_parse_decimal with them; the rest to
 * pp_parse_double, which reads the token again.  Both give the same bits.
 */
static int
value(struct scan *s, double *out)
{
	const char *p = s->p, *e = s->e, *d, *f;
	ptrdiff_t intlen, nfrac = 0;
	uint64_t w = 0;
	int integer = 1, expo = 0, neg = 0;

	if (e - p >= 4 && memcmp(p, "null", 4) == 0) {
		*out = NAN;
		s->p += 4;
		return 1;
	}
	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	d = p;
	if (p == e || *p < '0' || *p > '9')
		return 0;
	p = *p == '0' ? p + 1 : gather(p, e, &w);
	intlen = p - d;
	if (p < e && *p == '.') {
		integer = 0;
		f = ++p;
		p = gather(p, e, &w);
		if ((nfrac = p - f) == 0)
			return 0;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		integer = 0;
		expo = 1;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if ((d = digits(p, e)) == p)
			return 0;
		p = d;
	}
	/* w holds the digits unless there were more than 19 (it wrapped). */
	if ((integer && intlen > 18) || p - s->p > NUM_MAX)
		return 0;
	if (!expo && intlen + nfrac <= 19) {
#if FLT_EVAL_METHOD == 0
		/* Clinger: w and 10^nfrac are exact doubles, and one
		 * division rounds as strtod does (pp_parse_decimal would
		 * take this path too, one call further on). */
		if (w <= (1ULL << 53) && nfrac <= 22) {
			double v = (double)w / pow10d[nfrac];

			*out = neg ? -v : v;
		} else
#endif
			pp_parse_decimal(w, (int)nfrac, neg, s->p,
			    (size_t)(p - s->p), out);
	} else if (pp_parse_double(s->p, (size_t)(p - s->p), out) == -1 ||
	    isinf(*out))
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

/* A string without escapes or bytes outside printable ASCII (what
 * jansson would hand back unchanged): *k and *n; 0 if not that. */
static int
plain_str(struct scan *s, const char **k, size_t *n)
{
	if (!eat(s, '"'))
		return 0;
	for (*k = s->p; s->p < s->e && *s->p != '"'; s->p++)
		if (*s->p == '\\' || *s->p < 0x20 || *s->p > 0x7e)
			return 0;
	if (s->p == s->e)
		return 0;
	*n = (size_t)(s->p++ - *k);
	return 1;
}

/* The feature k[0..n) names, or -1.  hint is where it usually is (keys
 * in the model's order). */
static long
feature(const struct pp_model *m, const char *k, size_t n, size_t hint)
{
	size_t j;

	for (j = 0; j < m->nfeat; j++) {
		const char *f = m->features[(hint + j) % m->nfeat];

		if (strncmp(f, k, n) == 0 && f[n] == '\0')
			return (long)((hint + j) % m->nfeat);
	}
	return -1;
}

/* A plain key naming a feature: its index, or -1. */
static long
key(struct scan *s, const struct pp_model *m, size_t hint)
{
	const char *k;
	size_t n;

	return plain_str(s, &k, &n) ? feature(m, k, n, hint) : -1;
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

/*
 * V2: {"inputs": [{"name": "x", "shape": [N, F], "datatype": "FP64",
 * "data": [...]}], "id": "..."}, keys in any order, "id" optional: the
 * one [N, F] tensor in the model's feature order (its name no feature's,
 * F the model's), its data flat or as N rows, FP32 read as FP64 as
 * oip.c does.  One input named as a feature, per-feature inputs, other
 * keys ("parameters"), and everything else go to jansson.
 */

/* A count at s->p: digits only, 1 to max; 0 if not that. */
static int
count(struct scan *s, size_t max, size_t *out)
{
	const char *p;
	size_t v = 0;

	skip_ws(s);
	if (s->p == s->e || *s->p < '1' || *s->p > '9')
		return 0;
	for (p = s->p; p < s->e && *p >= '0' && *p <= '9'; p++) {
		if (p - s->p >= 9)
			return 0;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (v > max)
		return 0;
	s->p = p;
	*out = v;
	return 1;
}

/* Values read so far. */
struct vals {
	double *x;		/* owned */
	size_t n, cap;
};

static int
push(struct scan *s, struct vals *v)
{
	if (v->n == (size_t)PP_OIP_MAX_ROWS * 1024)
		return 0;
	pp_xgrow((void **)&v->x, &v->cap, v->n + 2, sizeof(double));
	skip_ws(s);
	return value(s, &v->x[v->n++]);
}

/* "data", its '[' read: values, or arrays of values (none empty). */
static int
data(struct scan *s, struct vals *v)
{
	do {
		skip_ws(s);
		if (s->p < s->e && *s->p == '[') {
			s->p++;
			do {
				if (!push(s, v))
					return 0;
			} while (eat(s, ','));
			if (!eat(s, ']'))
				return 0;
		} else if (!push(s, v))
			return 0;
	} while (eat(s, ','));
	return eat(s, ']');
}

enum { IN_NAME = 1, IN_SHAPE = 2, IN_TYPE = 4, IN_DATA = 8 };

/* One field of the input object, its key k[0..n) read; *seen gets its
 * bit. */
static int
field(struct scan *s, const char *k, size_t n, const struct pp_model *m,
    unsigned *seen, size_t *rows, struct vals *v)
{
	const char *t;
	size_t tn, cols;
	unsigned bit = n == 4 && memcmp(k, "name", 4) == 0 ? IN_NAME :
	    n == 5 && memcmp(k, "shape", 5) == 0 ? IN_SHAPE :
	    n == 8 && memcmp(k, "datatype", 8) == 0 ? IN_TYPE :
	    n == 4 && memcmp(k, "data", 4) == 0 ? IN_DATA : 0;

	if (bit == 0 || (*seen & bit) || !eat(s, ':'))
		return 0;
	*seen |= bit;
	switch (bit) {
	case IN_NAME:
		return plain_str(s, &t, &tn) && feature(m, t, tn, 0) < 0;
	case IN_SHAPE:
		return eat(s, '[') && count(s, PP_OIP_MAX_ROWS, rows) &&
		    eat(s, ',') && count(s, 1 << 20, &cols) &&
		    cols == m->nfeat && eat(s, ']');
	case IN_TYPE:
		return plain_str(s, &t, &tn) && tn == 4 &&
		    (memcmp(t, "FP64", 4) == 0 || memcmp(t, "FP32", 4) == 0);
	default:
		return eat(s, '[') && data(s, v);
	}
}

/* The input object, its '{' read. */
static int
input(struct scan *s, const struct pp_model *m, size_t *rows,
    struct vals *v)
{
	unsigned seen = 0;
	const char *k;
	size_t n;

	do {
		if (!plain_str(s, &k, &n) || !field(s, k, n, m, &seen, rows, v))
			return 0;
	} while (eat(s, ','));
	return seen == (IN_NAME | IN_SHAPE | IN_TYPE | IN_DATA) && eat(s, '}');
}

/* The root object's fields, its '{' read: "inputs" and maybe "id". */
static int
root_v2(struct scan *s, const struct pp_model *m, size_t *rows,
    struct vals *v, const char **id, size_t *idn)
{
	int inputs = 0;
	const char *k;
	size_t n;

	do {
		if (!plain_str(s, &k, &n) || !eat(s, ':'))
			return 0;
		if (n == 6 && memcmp(k, "inputs", 6) == 0 && !inputs) {
			inputs = 1;
			if (!eat(s, '[') || !eat(s, '{') || !input(s, m, rows,
			    v) || !eat(s, ']'))
				return 0;
		} else if (n == 2 && memcmp(k, "id", 2) == 0 && *id == NULL) {
			if (!plain_str(s, id, idn))
				return 0;
		} else {
			return 0;
		}
	} while (eat(s, ','));
	return inputs && eat(s, '}');
}

int
pp_oip_decode_v2_plain(const char *body, size_t len,
    const struct pp_model *m, struct pp_oip_rows *r)
{
	struct scan s = { body, body + len };
	struct vals v = { NULL, 0, 0 };
	const char *id = NULL;
	size_t idn = 0, rows = 0;

	pp_oip_rows_release(r);
	r->nfeat = m->nfeat;
	if (body == NULL || m->nfeat == 0 || !eat(&s, '{') ||
	    !root_v2(&s, m, &rows, &v, &id, &idn) ||
	    (skip_ws(&s), s.p != s.e) || v.n != rows * m->nfeat) {
		free(v.x);
		return 1;
	}
	r->x = v.x;
	r->n = rows;
	if (id != NULL)
		r->id = pp_xstrndup(id, idn);
	return 0;
}
