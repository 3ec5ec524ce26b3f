/*
 * apikey.c - the key file and constant-time key checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "util.h"
#include "banned.h"

#define MAX_LINE 4096

static int
unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	int hi, lo;

	if (n != 2 * PP_SHA256_LEN)
		return -1;
	for (i = 0; i < PP_SHA256_LEN; i++) {
		hi = s[2 * i], lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' : hi >= 'a' && hi <= 'f'
		    ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' : lo >= 'a' && lo <= 'f'
		    ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int
add_line(struct pp_apikeys *k, char *line, const char *name, long ln,
    struct pp_err *err)
{
	char *sp, *end = line + strlen(line);
	size_t i;

	while (end > line && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	sp = strchr(line, ' ');
	if (sp == NULL || sp == line || strchr(sp + 1, ' ') != NULL)
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: expected "
		    "\"NAME SHA256-HEX\"", name, ln);
	*sp = '\0';
	k->name = pp_xrealloc(k->name, (k->n + 1) * sizeof(*k->name));
	k->digest = pp_xrealloc(k->digest, (k->n + 1) * sizeof(*k->digest));
	if (unhex(sp + 1, strlen(sp + 1), k->digest[k->n]) == -1)
		return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: key \"%s\": not "
		    "64 lowercase hex digits", name, ln, line);
	for (i = 0; i < k->n; i++)
		if (strcmp(k->name[i], line) == 0)
			return pp_err_set(err, PP_EXIT_DATA, "%s:%ld: key "
			    "\"%s\" given twice", name, ln, line);
	k->name[k->n++] = pp_xstrdup(line);
	return 0;
}

int
pp_apikeys_load(struct pp_apikeys *k, const char *path, struct pp_err *err)
{
	char line[MAX_LINE];
	FILE *fp;
	long ln = 0;
	int rc = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return pp_err_errno(err, errno, "%s", path);
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		ln++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			rc = pp_err_set(err, PP_EXIT_DATA, "%s:%ld: line too "
			    "long", path, ln);
		else
			rc = add_line(k, line, path, ln, err);
	}
	if (rc == 0 && ferror(fp))
		rc = pp_err_errno(err, errno, "%s: read", path);
	if (rc == 0 && k->n == 0)
		rc = pp_err_set(err, PP_EXIT_DATA, "%s: no keys", path);
	fclose(fp);
	if (rc == -1)
		pp_apikeys_release(k);
	return rc;
}

void
pp_apikeys_release(struct pp_apikeys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->name[i]);
	free(k->name);
	free(k->digest);
	k->n = 0;
	k->name = NULL;
	k->digest = NULL;
}

const char *
pp_apikeys_check(const struct pp_apikeys *k, const char *key, size_t len)
{
	unsigned char d[PP_SHA256_LEN];
	struct pp_sha256 c;
	const char *found = NULL;
	unsigned diff;
	size_t i, j;

	pp_sha256_init(&c);
	pp_sha256_update(&c, key, len);
	pp_sha256_final(&c, d);
	for (i = 0; i < k->n; i++) {
		diff = 0;
		for (j = 0; j < PP_SHA256_LEN; j++)
			diff |= (unsigned)(d[j] ^ k->digest[i][j]);
		if (diff == 0 && found == NULL)
			found = k->name[i];
	}
	return found;
}

void
pp_apikeys_line(struct pp_buf *out, const char *name, const char *key,
    size_t len)
{
	char hex[PP_SHA256_HEXLEN + 1];

	pp_sha256_hex(key, len, hex);
	pp_buf_addf(out, "%s %s\n", name, hex);
}
