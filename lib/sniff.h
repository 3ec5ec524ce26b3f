/*
 * sniff.h - what a file that is not a frame is, from its first bytes, so
 * that a Parquet file or a spreadsheet given where CSV is expected is
 * named as such instead of failing on a strange header.
 */
#ifndef PP_SNIFF_H
#define PP_SNIFF_H

#include <stddef.h>

/*
 * What p[0..n) (the start of a file) is when it is clearly not CSV: "a
 * Parquet file", "an Excel workbook (xlsx)", "a zip archive", "JSON", "an
 * HTML page", "an XML document", "a PDF document", "an Excel 97-2003
 * workbook (xls)", "UTF-16 text", other compressors, "binary data"; NULL
 * when it may be CSV.  Looks only at the bytes given: n may be short (a
 * pipe's first read).
 */
const char *pp_sniff_not_csv(const unsigned char *p, size_t n);

#endif
