/*
 * sniff.c - naming a file that is not CSV by its magic bytes.  The one
 * idea: only signatures that no CSV file starts with are trusted (a
 * header row never begins with PAR1, "PK\3\4" or a NUL byte), so a real
 * CSV file is never refused here.
 */
#include "sniff.h"

#include <string.h>
#include <strings.h>

#include "banned.h"

/* The first n bytes begin with magic (of len bytes). */
static int
starts(const unsigned char *p, size_t n, const char *magic, size_t len)
{
	return n >= len && memcmp(p, magic, len) == 0;
}

/* p[0..n) holds needle somewhere (a zip's first entry names). */
static int
holds(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return 1;
	return 0;
}

/* After blanks and a UTF-8 byte-order mark, the first character. */
static size_t
skip_blank(const unsigned char *p, size_t n)
{
	size_t i = 0;

	if (starts(p, n, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	return i;
}

/* Markup: an HTML page or an XML document (an xlsx sheet saved alone,
 * an RSS feed), by its first tag. */
static const char *
markup(const unsigned char *p, size_t n)
{
	if (n >= 5 && strncasecmp((const char *)p, "<?xml", 5) == 0)
		return "an XML document";
	if ((n >= 9 && strncasecmp((const char *)p, "<!doctype", 9) == 0) ||
	    (n >= 5 && strncasecmp((const char *)p, "<html", 5) == 0) ||
	    (n >= 5 && strncasecmp((const char *)p, "<head", 5) == 0) ||
	    (n >= 5 && strncasecmp((const char *)p, "<body", 5) == 0))
		return "an HTML page";
	return NULL;
}

const char *
pp_sniff_not_csv(const unsigned char *p, size_t n)
{
	size_t i;

	if (starts(p, n, "PAR1", 4))
		return "a Parquet file";
	if (starts(p, n, "PK\x03\x04", 4))
		return holds(p, n, "xl/") ? "an Excel workbook (xlsx)"
		    : holds(p, n, "word/") ? "a Word document (docx)"
		    : "a zip archive";
	if (starts(p, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return "an Excel 97-2003 workbook (xls)";
	if (starts(p, n, "%PDF-", 5))
		return "a PDF document";
	if (starts(p, n, "BZh", 3) && n > 3 && p[3] >= '1' && p[3] <= '9')
		return "bzip2-compressed data (only gzip is read: bunzip2 it)";
	if (starts(p, n, "\xfd" "7zXZ", 5))
		return "xz-compressed data (only gzip is read: unxz it)";
	if (starts(p, n, "\x28\xb5\x2f\xfd", 4))
		return "zstd-compressed data (only gzip is read: unzstd it)";
	if (starts(p, n, "\xff\xfe", 2) || starts(p, n, "\xfe\xff", 2))
		return "UTF-16 text (save it as UTF-8)";
	i = skip_blank(p, n);
	if (i < n && (p[i] == '{' || p[i] == '['))
		return "JSON";
	if (i < n && p[i] == '<' && markup(p + i, n - i) != NULL)
		return markup(p + i, n - i);
	for (i = 0; i < n && i < 4096; i++)
		if (p[i] == '\0')
			return "binary data (a NUL byte near the start)";
	return NULL;
}
