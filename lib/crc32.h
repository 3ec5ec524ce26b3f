/*
 * crc32.h - the CRC-32 of binary frames (ISO-HDLC, as zlib's crc32()).
 *
 * Same value and chaining rule as zlib: pp_crc32(0, NULL, 0) is the start
 * value, and pp_crc32(pp_crc32(c, a, n), b, m) is the CRC of a then b.  On
 * x86-64 processors with carry-less multiply (PCLMULQDQ) large buffers are
 * folded 64 bytes at a time, several times faster than zlib's table
 * method, which checksums everything else.
 */
#ifndef PP_CRC32_H
#define PP_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t pp_crc32(uint32_t crc, const void *p, size_t n);

#endif
