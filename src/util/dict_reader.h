/*
 * dict_reader.h - splitting the text of a lookup table or an aliases file
 * into logical lines and entries, from a buffer in memory.
 *
 * This is the pure half of src/util/dict: no files, no hashing, no
 * callbacks. A caller (dict.c, aliases.c, a fuzzer) hands over a buffer and
 * pulls one logical line at a time:
 *
 *   - a physical line ends at LF; a CR just before the LF is dropped;
 *     a last line without LF counts as a line;
 *   - a line whose first non-blank byte is '#' is a comment and is skipped;
 *     '#' elsewhere is data (a value may contain '#');
 *   - a line of blanks only is skipped;
 *   - a line starting with a blank (SP or HT) continues the logical line
 *     before it: its text, stripped of leading blanks, is appended after a
 *     single space. Comments and blank lines between the parts do not end
 *     the logical line. A continuation with nothing to continue is an error;
 *   - trailing blanks of every physical line are dropped.
 *
 * Bounds: a physical line longer than line_max bytes (line end excluded),
 * a logical line longer than line_max bytes, and a NUL byte anywhere are
 * errors. Errors are reported as "LINE: reason" in why; the caller adds
 * the file name ("/etc/aliases:12: line longer than 4096 bytes").
 *
 * dict_reader_split() then cuts one logical line into key and value by the
 * table's syntax:
 *   DICT_SYNTAX_SPACE  "key value"   (key ends at the first blank)
 *   DICT_SYNTAX_COLON  "key: value"  (key ends at the first ':', blanks
 *                                    around it are dropped; "key :value"
 *                                    is accepted)
 * Both need a non-empty key and a non-empty value, and both check the key
 * and value bounds. Keys may be folded to lower case (ASCII only).
 */
#ifndef DICT_READER_H
#define DICT_READER_H

#include <stddef.h>

struct vstring;

enum dict_syntax { DICT_SYNTAX_SPACE, DICT_SYNTAX_COLON };

#define DICT_FLAG_FOLD_KEYS (1 << 0) /* lower-case keys (and lookups) */

struct dict_limits {
    size_t line_max;  /* physical and logical line, bytes */
    size_t key_max;   /* bytes */
    size_t value_max; /* bytes */
    size_t entry_max; /* entries in one table */
    size_t file_max;  /* bytes in one file */
};

/* The defaults: dict_line_max 4096, dict_key_max 256, dict_value_max 4000,
 * dict_entry_max 100000, dict_file_max 16 MiB. */
extern const struct dict_limits dict_default_limits;

struct dict_reader {
    const char *buf; /* the text, not NUL-terminated */
    size_t len;
    size_t pos;    /* next byte to read */
    size_t lineno; /* number of the last physical line read */
    size_t line_max;
};

/* Starts reading buf[0 .. len-1]; buf must outlive the reader. */
void dict_reader_init(struct dict_reader *r, const char *buf, size_t len,
                      size_t line_max);

/*
 * Reads the next logical line into line (replacing its content) and its
 * first physical line's number into *start_line. Returns 1 for a line,
 * 0 at the end of the buffer, -1 on an error (reason in why, which starts
 * with the physical line number). After -1 the reader stays at the error.
 */
int dict_reader_next(struct dict_reader *r, struct vstring *line,
                     size_t *start_line, struct vstring *why);

/*
 * Splits a logical line into key and value (both replaced). Returns 0, or
 * -1 with a reason in why (without a line number).
 */
int dict_reader_split(const char *line, size_t len, enum dict_syntax syntax,
                      int flags, const struct dict_limits *limits,
                      struct vstring *key, struct vstring *value,
                      struct vstring *why);

/* Lower-cases ASCII letters of s[0 .. len-1] in place. */
void dict_fold(char *s, size_t len);

#endif
