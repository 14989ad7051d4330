/*
 * attr.h - the attribute codec that daemons speak over their IPC sockets
 * (cleanup's answers, qmgr's delivery requests, resolve's replies).
 *
 * A record is a sequence of lines "name=value\n" ended by an empty line
 * "\n". Names match [a-z0-9_]+. In values, the bytes '%', '\n', '\r', NUL,
 * every other control byte (0x01-0x1f) and DEL (0x7f) are written as %XX
 * with two uppercase hex digits; every other byte is written as itself. So
 * a value may hold any bytes, and every byte string has exactly one
 * encoding: the reader rejects lowercase hex, escapes of bytes that need no
 * escape, and raw bytes that needed one (including a '\r' before the '\n').
 *
 * A struct attr_list holds one record: ordered (name, value) pairs; a name
 * may repeat (several "rcpt"). Values are stored NUL-terminated, with their
 * length, so text values can be used as C strings.
 *
 * Reading is bounded by struct attr_limits (number of attributes, name
 * length, decoded value length, total encoded record size including the
 * final empty line); no read ever buffers more than the limits allow.
 * attr_read returns 1 for a record, 0 for a clean EOF before the first
 * line, and -1 for everything else, with the reason in why: an I/O error,
 * a timeout (the stream's deadline), EOF inside a record, a malformed line,
 * or an exceeded limit. After -1 the stream is somewhere inside a record:
 * close the connection, do not try to read on.
 *
 * Contract violations (an invalid name given to attr_list_add*, an index
 * out of range) are msg_panic: names are compile-time constants.
 */
#ifndef ATTR_H
#define ATTR_H

#include <stddef.h>
#include <sys/types.h>

struct vstream;
struct vstring;
struct attr_list;

struct attr_limits {
    size_t max_count; /* attributes per record */
    size_t max_name;  /* bytes in a name */
    size_t max_value; /* bytes in a decoded value */
    size_t max_total; /* encoded bytes in a record, terminator included */
};

/* Usage: struct attr_limits lim = ATTR_LIMITS_DEFAULT; */
#define ATTR_LIMITS_DEFAULT {256, 64, 65536, 1048576}

/* Is name a valid attribute name ([a-z0-9_]+, at most max bytes)? */
int attr_name_ok(const char *name, size_t len, size_t max);

struct attr_list *attr_list_alloc(void);
void attr_list_free(struct attr_list *list);
void attr_list_reset(struct attr_list *list);

/* Appends a pair; the value is copied (attr_list_add: a C string). */
void attr_list_add(struct attr_list *list, const char *name, const char *value);
void attr_list_add_bytes(struct attr_list *list, const char *name,
                         const void *value, size_t len);
void attr_list_add_long(struct attr_list *list, const char *name, long value);

size_t attr_list_count(const struct attr_list *list);
const char *attr_list_name_at(const struct attr_list *list, size_t i);
/* The value at i (NUL-terminated); its length into *len when len != NULL. */
const char *attr_list_value_at(const struct attr_list *list, size_t i,
                               size_t *len);

/* Index of the first pair at or after from named name, or -1. */
ssize_t attr_list_find(const struct attr_list *list, const char *name,
                       size_t from);
/* The value of the first pair named name, or NULL. */
const char *attr_list_get(const struct attr_list *list, const char *name);
/*
 * The first value named name as a decimal long ("-"? digits, no spaces,
 * no overflow): 0 and *out set, or -1 when missing or not such a number.
 */
int attr_list_get_long(const struct attr_list *list, const char *name,
                       long *out);

/* Writes the record and flushes; 0, or -1 (see vstream_error). */
int attr_write(struct vstream *s, const struct attr_list *list);

/*
 * Reads one record into list (reset first): 1, 0 (EOF before any line) or
 * -1 with why set. limits NULL means ATTR_LIMITS_DEFAULT.
 */
int attr_read(struct vstream *s, struct attr_list *list,
              const struct attr_limits *limits, struct vstring *why);

#endif
