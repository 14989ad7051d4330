/*
 * crc32.h - the CRC-32 of IEEE 802.3 (polynomial 0xEDB88320, reflected,
 * initial value and final xor 0xFFFFFFFF; the check value of "123456789"
 * is 0xCBF43926), computed incrementally.
 *
 * Used by the queue file's commit seal (queue_seal.h): a torn write of a
 * file that was committed in place must not pass for a complete one.
 */
#ifndef CRC32_H
#define CRC32_H

#include <stddef.h>
#include <stdint.h>

#define CRC32_INIT 0u

/* The CRC of the bytes seen so far followed by buf[0..len). Start with
 * CRC32_INIT; the value after the last call is the CRC of the whole. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

#endif
