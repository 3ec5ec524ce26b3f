/*
 * test_apikey.c - the API key file and key checks (lib/apikey.c), and
 * pp-serve's duration and size arguments (lib/serve.c).
 *
 * Plan:
 *  - a key file with comments, blank lines and CRLF loads; each key is
 *    found by its name; a wrong, empty or prefix key is not; the line
 *    pp_apikeys_line writes loads back.
 *  - bad files, each with its exact message: no keys, no digest, a short
 *    or uppercase digest, extra fields, a name given twice, a missing file.
 *  - durations and sizes: units, bounds, junk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apikey.h"
#include "serve.h"

static char path[64];

static void
write_file(const char *text)
{
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/test_apikey.%ld", (long)getpid());
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_load_check(void **state)
{
	struct pp_apikeys k = PP_APIKEYS_INIT;
	struct pp_err err = PP_ERR_INIT;
	struct pp_buf b = PP_BUF_INIT;

	(void)state;
	pp_buf_addstr(&b, "# keys\n\n");
	pp_apikeys_line(&b, "alice", "s3cret", 6);
	pp_apikeys_line(&b, "bob", "hunter2", 7);
	/* sha256("s3cret"), from coreutils' sha256sum. */
	assert_memory_equal(b.data + 8, "alice 1ec1c26b50d5d3c58d9583181af807"
	    "6655fe00756bf7285940ba3670f99fcba0\n", 71);
	pp_buf_addstr(&b, "carol 5e884898da28047151d0e56f8dc6292773603d0d6aab"
	    "bdd62a11ef721d1542d8\r\n");
	write_file(b.data);
	assert_int_equal(pp_apikeys_load(&k, path, &err), 0);
	assert_int_equal(k.n, 3);
	assert_string_equal(pp_apikeys_check(&k, "s3cret", 6), "alice");
	assert_string_equal(pp_apikeys_check(&k, "hunter2", 7), "bob");
	assert_string_equal(pp_apikeys_check(&k, "password", 8), "carol");
	assert_null(pp_apikeys_check(&k, "s3cre", 5));
	assert_null(pp_apikeys_check(&k, "", 0));
	assert_null(pp_apikeys_check(&k, "S3CRET", 6));
	pp_apikeys_release(&k);
	pp_apikeys_release(&k);
	pp_buf_release(&b);
	remove(path);
}

static void
test_bad_files(void **state)
{
	static const struct {
		const char *text, *msg;
	} rows[] = {
		{ "# nothing\n\n", ": no keys" },
		{ "alice\n", ":1: expected \"NAME SHA256-HEX\"" },
		{ " abc\n", ":1: expected \"NAME SHA256-HEX\"" },
		{ "alice 00 11\n", ":1: expected \"NAME SHA256-HEX\"" },
		{ "alice 5e88489\n", ":1: key \"alice\": not 64 lowercase hex "
		  "digits" },
		{ "alice 5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF"
		  "721D1542D8\n", ":1: key \"alice\": not 64 lowercase hex "
		  "digits" },
		{ "a 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d"
		  "1542d8\n#\na 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd"
		  "62a11ef721d1542d8\n", ":3: key \"a\" given twice" },
	};
	struct pp_apikeys k = PP_APIKEYS_INIT;
	struct pp_err err = PP_ERR_INIT;
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_file(rows[i].text);
		pp_err_clear(&err);
		assert_int_equal(pp_apikeys_load(&k, path, &err), -1);
		snprintf(want, sizeof(want), "%s%s", path, rows[i].msg);
		assert_string_equal(err.msg, want);
		assert_int_equal(k.n, 0);
	}
	remove(path);
	pp_err_clear(&err);
	assert_int_equal(pp_apikeys_load(&k, path, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

static void
test_durations_sizes(void **state)
{
	static const struct {
		const char *s;
		int rc;
		double v;
	} d[] = {
		{ "10", 0, 10 }, { "10s", 0, 10 }, { "250ms", 0, 0.25 },
		{ "2min", 0, 120 }, { "1h", 0, 3600 }, { "0", 0, 0 },
		{ "1.5s", 0, 1.5 }, { "-1s", -1, 0 }, { "s", -1, 0 },
		{ "10m", -1, 0 }, { "10 s", -1, 0 }, { "", -1, 0 },
		{ "1e10", -1, 0 }, { "nan", -1, 0 },
	};
	static const struct {
		const char *s;
		int rc;
		size_t v;
	} z[] = {
		{ "1", 0, 1 }, { "1024", 0, 1024 }, { "4K", 0, 4096 },
		{ "4k", 0, 4096 }, { "1M", 0, 1048576 }, { "2G", 0, 2147483648u },
		{ "0", -1, 0 }, { "1T", -1, 0 }, { "-1", -1, 0 }, { "1.5M", -1, 0 },
		{ "M", -1, 0 }, { "", -1, 0 }, { "1025G", -1, 0 },
		{ "99999999999999", -1, 0 },
	};
	size_t i, n;
	double x;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		assert_int_equal(pp_serve_parse_seconds(d[i].s, &x), d[i].rc);
		if (d[i].rc == 0)
			assert_true(x == d[i].v);
	}
	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		assert_int_equal(pp_serve_parse_bytes(z[i].s, &n), z[i].rc);
		if (z[i].rc == 0)
			assert_true(n == z[i].v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_check),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_durations_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
