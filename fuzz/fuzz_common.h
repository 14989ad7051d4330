/*
 * fuzz_common.h - what every libFuzzer harness of fuzz/ shares: quiet
 * logging with msg_fatal/msg_panic turned into crashes, invariant failures
 * that crash with a message, and a vstream backed by memory (vstream_set_io)
 * so that protocol code runs with no socket and no child process.
 *
 * Set FUZZ_VERBOSE=1 to see the project's log lines (a panic's text) when
 * reproducing a crash.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

struct vstream;
struct vstring;

/* Once per process: logging off (or on with FUZZ_VERBOSE), exit hook. */
void fuzz_init(void);

/* An invariant was broken: print and abort() (libFuzzer saves the input). */
void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__VA_ARGS__);                                            \
    } while (0)

/* The memory behind a stream; the caller owns it (on its stack). */
struct fuzz_mem {
    const unsigned char *in;
    size_t len;
    size_t pos;
    size_t chunk;
    struct vstring *out;
};

/*
 * A stream that reads in[0 .. len-1] in pieces of at most chunk bytes
 * (0: as much as asked), then EOF, and appends everything written to out
 * (NULL: discarded). m must outlive the stream. Free the stream with
 * vstream_release (never vstream_close: the descriptor is shared).
 */
struct vstream *fuzz_mem_stream(struct fuzz_mem *m, const void *in,
                                size_t len, size_t chunk, struct vstring *out);

/* A consumer of the fuzz input: bytes and small numbers from the front. */
struct fuzz_input {
    const uint8_t *data;
    size_t len;
};
unsigned fuzz_take_byte(struct fuzz_input *in);
/* Up to the next sep byte (or the end); the piece, not NUL-terminated. */
const char *fuzz_take_until(struct fuzz_input *in, int sep, size_t *len);

/* A NUL-terminated copy that the harness frees with free(). */
char *fuzz_strndup(const void *s, size_t len);

/* 1 when a and b hold the same len bytes. */
int fuzz_same(const void *a, const void *b, size_t len);

#endif
