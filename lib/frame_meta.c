/*
 * frame_meta.c - the key/value metadata a binary frame carries (frame.h).
 *
 * A metadata block holds a handful of pairs (the feature spec, the horizon,
 * who produced the frame), so it is two parallel arrays searched linearly:
 * nothing here is on a per-row path.
 */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

void
pp_meta_init(struct pp_meta *m)
{
	m->n = 0;
	m->key = NULL;
	m->val = NULL;
	m->cap = 0;
}

void
pp_meta_release(struct pp_meta *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->key[i]);
		free(m->val[i]);
	}
	free(m->key);
	free(m->val);
	pp_meta_init(m);
}

static long
find(const struct pp_meta *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->key[i], key) == 0)
			return (long)i;
	return -1;
}

const char *
pp_meta_get(const struct pp_meta *m, const char *key)
{
	long i = find(m, key);

	return i < 0 ? NULL : m->val[i];
}

int
pp_meta_check(const char *key, size_t keylen, const char *val, size_t vallen,
    struct pp_err *err)
{
	size_t i;

	if (keylen == 0)
		return pp_err_set(err, PP_EXIT_DATA, "empty metadata key");
	if (keylen > PP_META_KEY_MAX)
		return pp_err_set(err, PP_EXIT_DATA, "metadata key longer "
		    "than %d bytes", PP_META_KEY_MAX);
	for (i = 0; i < keylen; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return pp_err_set(err, PP_EXIT_DATA, "metadata key "
			    "holds a control character");
	if (!pp_utf8_valid(key, keylen, NULL))
		return pp_err_set(err, PP_EXIT_DATA, "metadata key is not "
		    "UTF-8 text");
	if (vallen > PP_META_VAL_MAX)
		return pp_err_set(err, PP_EXIT_DATA, "metadata \"%.*s\": value "
		    "longer than %u bytes", (int)keylen, key, PP_META_VAL_MAX);
	if (memchr(val, '\0', vallen) != NULL ||
	    !pp_utf8_valid(val, vallen, NULL))
		return pp_err_set(err, PP_EXIT_DATA, "metadata \"%.*s\": value "
		    "is not UTF-8 text", (int)keylen, key);
	return 0;
}

int
pp_meta_set(struct pp_meta *m, const char *key, const char *val,
    struct pp_err *err)
{
	long i;

	if (pp_meta_check(key, strlen(key), val, strlen(val), err) == -1)
		return -1;
	if ((i = find(m, key)) >= 0) {
		free(m->val[i]);
		m->val[i] = pp_xstrdup(val);
		return 0;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap;

		pp_xgrow((void **)&m->key, &cap, m->n + 1, sizeof(*m->key));
		pp_xgrow((void **)&m->val, &m->cap, m->n + 1, sizeof(*m->val));
	}
	m->key[m->n] = pp_xstrdup(key);
	m->val[m->n] = pp_xstrdup(val);
	m->n++;
	return 0;
}

int
pp_meta_del(struct pp_meta *m, const char *key)
{
	long i = find(m, key);

	if (i < 0)
		return -1;
	free(m->key[i]);
	free(m->val[i]);
	memmove(&m->key[i], &m->key[i + 1], (m->n - (size_t)i - 1) *
	    sizeof(*m->key));
	memmove(&m->val[i], &m->val[i + 1], (m->n - (size_t)i - 1) *
	    sizeof(*m->val));
	m->n--;
	return 0;
}

void
pp_meta_copy(struct pp_meta *dst, const struct pp_meta *src)
{
	struct pp_err e = PP_ERR_INIT;
	size_t i;

	pp_meta_release(dst);
	/* src's pairs passed the checks when they were set or read. */
	for (i = 0; i < src->n; i++)
		(void)pp_meta_set(dst, src->key[i], src->val[i], &e);
}
