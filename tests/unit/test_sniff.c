/*
 * test_sniff.c - naming files that are not CSV by their first bytes.
 *
 * Plan: a table of {first bytes, what they are}: every signature known,
 * each with a few bytes of the real thing after it; and a table of
 * starts that must stay CSV (NULL): headers, a UTF-8 byte-order mark,
 * quoted fields, a header that begins with a letter of a signature
 * (P, B, <), and short input (a pipe's first read).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sniff.h"
#include "banned.h"

static const struct {
	const char *in;
	size_t n;		/* 0: strlen(in) */
	const char *what;
} rows[] = {
	{ "PAR1\x15\x04\x15\x10", 0, "a Parquet file" },
	{ "PK\x03\x04\x14\0\0\0\x08\0[Content_Types].xmlxl/workbook.xml", 43,
	  "an Excel workbook (xlsx)" },
	{ "PK\x03\x04\x14\0\0\0\x08\0word/document.xml", 28,
	  "a Word document (docx)" },
	{ "PK\x03\x04\x14\0\0\0\x08\0prices.csv", 20, "a zip archive" },
	{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0", 10,
	  "an Excel 97-2003 workbook (xls)" },
	{ "%PDF-1.7\n", 0, "a PDF document" },
	{ "BZh91AY&SY", 0,
	  "bzip2-compressed data (only gzip is read: bunzip2 it)" },
	{ "\xfd" "7zXZ\0\0", 6,
	  "xz-compressed data (only gzip is read: unxz it)" },
	{ "\x28\xb5\x2f\xfd\x04\x58", 0,
	  "zstd-compressed data (only gzip is read: unzstd it)" },
	{ "\xff\xfe" "d\0a\0t\0e\0", 10, "UTF-16 text (save it as UTF-8)" },
	{ "{\"date\": \"2024-01-02\"}", 0, "JSON" },
	{ "  \n[{\"date\": 1}]", 0, "JSON" },
	{ "\xef\xbb\xbf{\"a\":1}", 0, "JSON" },
	{ "<!DOCTYPE html>\n<html>", 0, "an HTML page" },
	{ "\n<html lang=en>", 0, "an HTML page" },
	{ "<?xml version=\"1.0\"?>", 0, "an XML document" },
	{ "date,close\n2024-01-02,1\0", 24,
	  "binary data (a NUL byte near the start)" },
};

static const char *const csv[] = {
	"date,open,high,low,close,volume\n",
	"\xef\xbb\xbf" "Date,Open\n",
	"\"symbol\",\"date\"\n",
	"PAR,value\n",			/* a column named PAR */
	"Price,Bid\n",
	"BZ,close\n",
	"<date>,close\n",		/* odd, but not markup we know */
	"P",				/* a pipe's first byte */
	"",
};

static void
test_not_csv(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = rows[i].n ? rows[i].n : strlen(rows[i].in);
		const char *got = pp_sniff_not_csv(
		    (const unsigned char *)rows[i].in, n);

		if (got == NULL)
			fail_msg("row %zu: taken for CSV", i);
		assert_string_equal(got, rows[i].what);
	}
}

static void
test_csv(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(csv) / sizeof(csv[0]); i++) {
		const char *got = pp_sniff_not_csv(
		    (const unsigned char *)csv[i], strlen(csv[i]));

		if (got != NULL)
			fail_msg("\"%s\": taken for %s", csv[i], got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_csv),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
