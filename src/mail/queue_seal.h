/*
 * queue_seal.h - the commit seal of a queue file: what lets a file that
 * was committed where it lay, in spare/, be told from a spare's garbage.
 *
 * Every file queue_file.c writes ends with an 'E' record whose payload is
 * the seal "<id> <crc>": the queue id the file was committed under and the
 * CRC-32 (crc32.h, 8 hex digits) of every byte before the 'E' record,
 * except the payload of the 'P' record (padding that means nothing:
 * record.h).
 *
 * Why: a recycled file (queue_spare.h) is committed in place. Its content
 * is fsynced while it still has its durable spare/ name, and the move out
 * of spare/ that follows (qmgr's, or cleanup's rename to incoming/<id>)
 * needs no directory fsync of its own: if a crash undoes it, the file is
 * found again in spare/, and the seal says it holds a committed message,
 * which is moved on (queue_spare_recover). A file in spare/<name> is committed when
 *   - its last QUEUE_SEAL_SIZE bytes are a well-formed seal,
 *   - the seal's id differs from <name> (qmgr retires a delivered file
 *     under its own id, so a retired file's seal names itself), and
 *   - the CRC of everything before the seal matches (a write torn by a
 *     crash, or a taker that died half-way over an older file, fails it).
 * Anything else in spare/ is garbage, free to take; so is a file whose seal
 * qmgr broke (queue_seal_break) when it retired a message it had claimed in
 * place, without moving it out of spare/. qmgr marks recipients
 * done in place (R -> D) once the file is out of spare/; a crash may undo
 * that move and keep marks (they reach the disk on their own schedule, or
 * by the fsync of a message that stays queued), so the CRC counts a
 * record's type byte 'D' as 'R': a file back in spare/ with some of its
 * recipients marked still holds its message, and the marks say which
 * recipients are done. (Writers never write 'D'; only the mark does.)
 */
#ifndef QUEUE_SEAL_H
#define QUEUE_SEAL_H

#include <stdint.h>
#include <sys/types.h>

#include "queue.h"
#include "record.h"

#define QUEUE_SEAL_PAYLOAD (QUEUE_ID_LEN + 1 + 8)
#define QUEUE_SEAL_SIZE (RECORD_HEADER_SIZE + QUEUE_SEAL_PAYLOAD)

/* The seal payload (QUEUE_SEAL_PAYLOAD bytes, no NUL) for id and crc. */
void queue_seal_payload(char out[QUEUE_SEAL_PAYLOAD], const char *id,
                        uint32_t crc);

/*
 * Reads a whole seal record (header and payload). 1 with id (a
 * NUL-terminated queue id) and crc filled, or 0 when rec is not a seal.
 */
int queue_seal_parse(const unsigned char rec[QUEUE_SEAL_SIZE],
                     char id[QUEUE_ID_LEN + 1], uint32_t *crc);

/*
 * Does the file open for reading on fd, size bytes long and named name in
 * spare/, hold a message committed in place? 1 with id filled, 0 when it
 * is garbage, -1 on a read error (errno set). Reads the tail only, unless
 * the tail names another id: then the whole file, for the CRC.
 */
int queue_seal_committed(int fd, off_t size, const char *name,
                         char id[QUEUE_ID_LEN + 1]);

/*
 * Retires a message that qmgr claimed in place (queue_spare.h): overwrites
 * the type byte of the seal of the file open for writing on fd, size bytes
 * long, with QUEUE_SEAL_BROKEN, so that the file is garbage. One byte: a
 * crash leaves it written or not, never half. Not flushed (the caller
 * makes it durable, in a batch). 0, or -1 with errno set.
 */
#define QUEUE_SEAL_BROKEN 'e'
int queue_seal_break(int fd, off_t size);

#endif
