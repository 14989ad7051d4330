/*
 * bytes.h - scans over a byte range that more than one program needs.
 *
 * bytes_8bit: whether any byte has its high bit set (not ASCII). smtpd
 * asks it of a path's text (SMTPUTF8), the smtp client of every chunk of
 * a message it relays (BODY=8BITMIME). It reads eight bytes at a time,
 * which matters for the second: a 10 MiB message is read once for it.
 */
#ifndef BYTES_H
#define BYTES_H

#include <stddef.h>

/* 1 when a byte of p[0 .. len-1] is 0x80 or above, else 0. */
int bytes_8bit(const char *p, size_t len);

#endif
