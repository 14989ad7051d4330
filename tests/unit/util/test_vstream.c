/*
 * test_vstream.c - vstream as a specification: bounded line reads that keep
 * the terminator, deadlines against a silent peer, sticky errors that reach
 * flush/close, offsets, and replaceable I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

/* stream_from - a read stream over a pipe preloaded with text */
static struct vstream *stream_from(const char *text, size_t len)
{
    int fds[2];

    if (pipe(fds) < 0)
        abort();
    if (write(fds[1], text, len) != (ssize_t)len)
        abort();
    close(fds[1]);
    return vstream_fdopen(fds[0], VSTREAM_READ);
}

#define END 99 /* marks the end of an expectation list */

static const struct line_case {
    const char *input;
    size_t input_len; /* 0: strlen(input) */
    size_t bound;
    int results[6];       /* get_line results in order, END-terminated */
    const char *lines[6]; /* expected content for results > 0 */
} line_cases[] = {
    {"a\r\nb\nc", 0, 80, {3, 2, 1, VSTREAM_EOF, END}, {"a\r\n", "b\n", "c"}},
    {"\n\r\n", 0, 80, {1, 2, VSTREAM_EOF, END}, {"\n", "\r\n"}},
    {"", 0, 80, {VSTREAM_EOF, VSTREAM_EOF, END}, {0}},
    {"abcd\n", 0, 5, {5, VSTREAM_EOF, END}, {"abcd\n"}},
    {"abcde\n", 0, 5, {VSTREAM_TOO_LONG, 1, END}, {"abcde", "\n"}},
    {"bare\rcr\n", 0, 80, {8, END}, {"bare\rcr\n"}},
    {"x\0y\n", 4, 80, {4, END}, {"x\0y\n"}},
};

/* test_line_table - every row's sequence of results and contents */
static void test_line_table(void)
{
    struct vstring *line = vstring_alloc(8);
    size_t i, j, k;

    for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        const struct line_case *c = &line_cases[i];
        size_t len = c->input_len ? c->input_len : strlen(c->input);
        struct vstream *s = stream_from(c->input, len);
        for (j = 0, k = 0; c->results[j] != END; j++) {
            int r = vstream_get_line(s, line, c->bound);

            CU_ASSERT_EQUAL(r, c->results[j]);
            if (r > 0 || r == VSTREAM_TOO_LONG) {
                CU_ASSERT_EQUAL(
                    memcmp(vstring_str(line), c->lines[k], vstring_len(line)),
                    0);
                k++;
            }
        }
        CU_ASSERT_EQUAL(vstream_close(s), 0);
    }
    vstring_free(line);
}

/* test_too_long_then_skip - the rest of an over-long line can be skipped */
static void test_too_long_then_skip(void)
{
    static const char text[] = "0123456789abcdef\nnext\n";
    struct vstream *s = stream_from(text, sizeof(text) - 1);
    struct vstring *line = vstring_alloc(4);

    CU_ASSERT_EQUAL(vstream_get_line(s, line, 4), VSTREAM_TOO_LONG);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "0123");
    CU_ASSERT_EQUAL(vstream_tell(s), 4);
    CU_ASSERT_EQUAL(vstream_skip_line(s), 0);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 80), 5);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "next\n");
    CU_ASSERT_EQUAL(vstream_skip_line(s), VSTREAM_EOF);
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_EOF);
    vstream_close(s);
    vstring_free(line);
}

/* one_timeout - with a timeout of 1 s, a line read from a silent peer
 * times out after about that long */
static void one_timeout(struct vstream *s, struct vstring *line)
{
    struct timespec t0, t1;
    double secs;

    vstream_set_timeout(s, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 100), VSTREAM_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    CU_ASSERT(secs >= 0.9 && secs < 3.0);
}

/* test_deadline_silent_peer - a peer that says nothing costs one timeout */
static void test_deadline_silent_peer(void)
{
    struct vstring *line = vstring_alloc(8);
    struct vstream *s;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    one_timeout(s, line);
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_TIMEOUT);
    CU_ASSERT_EQUAL(vstream_errno(s), ETIMEDOUT);
    CU_ASSERT_EQUAL(vstream_getc(s), VSTREAM_TIMEOUT); /* sticky */
    CU_ASSERT_EQUAL(vstream_puts(s, "421 bye\r\n"), -1);
    vstream_clear_error(s);
    CU_ASSERT_EQUAL(vstream_error(s), 0);
    CU_ASSERT_EQUAL(write(sv[1], "late\n", 5), 5);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 100), 5);
    CU_ASSERT_EQUAL(vstream_close(s), 0);
    close(sv[1]);
    vstring_free(line);
}

/* test_read_deadline_nonblocking - a non-blocking socket (SO_RCVTIMEO
 * cannot time it) still waits out its deadline, and a stream whose timeout
 * went back to "forever" no longer times out */
static void test_read_deadline_nonblocking(void)
{
    struct vstring *line = vstring_alloc(8);
    struct vstream *s;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    one_timeout(s, line);
    CU_ASSERT_EQUAL(vstream_close(s), 0);
    close(sv[1]);
    /* blocking: timed by the kernel, then forever again */
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    vstream_set_timeout(s, 1);
    CU_ASSERT_EQUAL(write(sv[1], "a\n", 2), 2);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 100), 2);
    vstream_set_timeout(s, 0);
    if (fork() == 0) {
        sleep(2); /* longer than the old timeout */
        _exit(write(sv[1], "b\n", 2) == 2 ? 0 : 1);
    }
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 100), 2);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "b\n");
    wait(0);
    CU_ASSERT_EQUAL(vstream_close(s), 0);
    close(sv[1]);
    vstring_free(line);
}

/* stalled_peer_times_out - a peer that never reads stops a writer in time,
 * on a non-blocking socket or a blocking one */
static void stalled_peer_times_out(int nonblocking)
{
    static char chunk[65536];
    struct vstream *s;
    int sv[2], small = 4096, i;

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    s = vstream_fdopen(sv[0], VSTREAM_WRITE);
    vstream_set_timeout(s, 1);
    if (nonblocking)
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
    for (i = 0; i < 64 && vstream_write(s, chunk, sizeof(chunk)) == 0; i++)
        ;
    CU_ASSERT(i < 64);
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_TIMEOUT);
    CU_ASSERT_EQUAL(vstream_close(s), -1);
    close(sv[1]);
}

/* test_write_deadline - a peer that never reads stops a writer in time */
static void test_write_deadline(void)
{
    stalled_peer_times_out(1);
}

/* test_socket_write_never_blocks - a blocking socket under a deadline: a
 * peer that does not read stops the writer in time, and a peer that left
 * gives EPIPE without SIGPIPE (whose default action would end this test) */
static void test_socket_write_never_blocks(void)
{
    void (*old)(int) = signal(SIGPIPE, SIG_DFL);
    struct vstream *s;
    int sv[2];

    stalled_peer_times_out(0);
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    close(sv[1]);
    s = vstream_fdopen(sv[0], VSTREAM_WRITE);
    vstream_set_timeout(s, 1);
    CU_ASSERT_EQUAL(vstream_puts(s, "to nobody\n"), 0);
    CU_ASSERT_EQUAL(vstream_flush(s), -1);
    CU_ASSERT_EQUAL(vstream_errno(s), EPIPE);
    CU_ASSERT_EQUAL(vstream_close(s), -1);
    signal(SIGPIPE, old);
}

/* test_write_error_closed_pipe - EPIPE surfaces at flush and close */
static void test_write_error_closed_pipe(void)
{
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    struct vstream *s;
    int fds[2];

    CU_ASSERT_FATAL(pipe(fds) == 0);
    close(fds[0]);
    s = vstream_fdopen(fds[1], VSTREAM_WRITE);
    CU_ASSERT_EQUAL(vstream_puts(s, "buffered, not yet written\n"), 0);
    CU_ASSERT_EQUAL(vstream_flush(s), -1);
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_ERR);
    CU_ASSERT_EQUAL(vstream_errno(s), EPIPE);
    vstream_clear_error(s);
    CU_ASSERT_EQUAL(vstream_flush(s), -1); /* the lost write is remembered */
    CU_ASSERT_EQUAL(vstream_close(s), -1);
    signal(SIGPIPE, old);
}

/* test_write_error_dev_full - ENOSPC surfaces at close and fsync */
static void test_write_error_dev_full(void)
{
    int fd = open("/dev/full", O_WRONLY), p[2];
    struct vstream *s;

    CU_ASSERT_FATAL(fd >= 0);
    s = vstream_fdopen(fd, VSTREAM_WRITE);
    CU_ASSERT_EQUAL(vstream_printf(s, "%s %d\n", "record", 1), 0);
    CU_ASSERT_EQUAL(vstream_fsync(s), -1);
    CU_ASSERT_EQUAL(vstream_errno(s), ENOSPC);
    CU_ASSERT_EQUAL(vstream_close(s), -1);

    CU_ASSERT_FATAL(pipe(p) == 0);
    s = vstream_fdopen(p[1], VSTREAM_WRITE);
    CU_ASSERT_EQUAL(vstream_puts(s, "x"), 0);
    CU_ASSERT_EQUAL(vstream_fsync(s), -1); /* a pipe cannot be synced */
    CU_ASSERT_EQUAL(vstream_errno(s), EINVAL);
    CU_ASSERT_EQUAL(vstream_close(s), -1);
    close(p[0]);

    s = vstream_fdopen(open("/dev/full", O_WRONLY), VSTREAM_WRITE);
    CU_ASSERT_EQUAL(vstream_puts(s, "x"), 0);
    CU_ASSERT_EQUAL(vstream_close(s), -1);
}

/* temp_stream - a read-write stream over a fresh temporary file */
static struct vstream *temp_stream(char **dir)
{
    char path[256];
    int fd;

    *dir = testkit_tempdir();
    snprintf(path, sizeof(path), "%s/f", *dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    return vstream_fdopen(fd, VSTREAM_RW);
}

/* test_tell_seek - offsets count buffered bytes; writes land at tell() */
static void test_tell_seek(void)
{
    struct vstring *line = vstring_alloc(8);
    char *dir, buf[16] = {0};
    struct vstream *s = temp_stream(&dir);

    CU_ASSERT_EQUAL(vstream_tell(s), 0);
    CU_ASSERT_EQUAL(vstream_puts(s, "hello\nworld\n"), 0);
    CU_ASSERT_EQUAL(vstream_tell(s), 12);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 80), 6);
    CU_ASSERT_EQUAL(vstream_tell(s), 6);
    CU_ASSERT_EQUAL(vstream_pending(s), 6);
    CU_ASSERT_EQUAL(vstream_puts(s, "W"), 0); /* at offset 6, not 12 */
    CU_ASSERT_EQUAL(vstream_tell(s), 7);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    CU_ASSERT_EQUAL(vstream_read(s, buf, sizeof(buf)), 12);
    CU_ASSERT_STRING_EQUAL(buf, "hello\nWorld\n");
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_EOF);
    CU_ASSERT_EQUAL(vstream_seek(s, 1), 0); /* clears EOF */
    CU_ASSERT_EQUAL(vstream_error(s), 0);
    CU_ASSERT_EQUAL(vstream_getc(s), 'e');
    CU_ASSERT_EQUAL(vstream_seek(s, -1), -1);
    CU_ASSERT_EQUAL(vstream_errno(s), EINVAL);
    CU_ASSERT_EQUAL(vstream_fsync(s), 0);
    CU_ASSERT_EQUAL(vstream_close(s), 0);
    testkit_rmtree(dir);
    free(dir);
    vstring_free(line);
}

/* test_tell_starts_at_fd_offset - tell counts from where the fd was */
static void test_tell_starts_at_fd_offset(void)
{
    char *dir;
    struct vstream *s = temp_stream(&dir);
    int fd = vstream_fd(s);

    CU_ASSERT_EQUAL(write(fd, "abc", 3), 3);
    vstream_release(s);
    s = vstream_fdopen(fd, VSTREAM_READ);
    CU_ASSERT_EQUAL(vstream_tell(s), 3);
    CU_ASSERT_EQUAL(vstream_getc(s), VSTREAM_EOF);
    CU_ASSERT_EQUAL(vstream_close(s), 0);
    testkit_rmtree(dir);
    free(dir);
}

/* test_big_printf_and_read - output beyond one buffer arrives whole */
static void test_big_printf_and_read(void)
{
    char *dir, *big = malloc(20001), *back = malloc(20000);
    struct vstream *s = temp_stream(&dir);

    memset(big, 'q', 20000);
    big[20000] = 0;
    CU_ASSERT_EQUAL(vstream_printf(s, "%s", big), 0);
    CU_ASSERT_EQUAL(vstream_seek(s, 0), 0);
    CU_ASSERT_EQUAL(vstream_read(s, back, 20000), 20000);
    CU_ASSERT_EQUAL(memcmp(back, big, 20000), 0);
    CU_ASSERT_EQUAL(vstream_seek(s, 5), 0);
    CU_ASSERT_EQUAL(vstream_getc(s), 'q');
    CU_ASSERT(vstream_pending(s) > 0);
    vstream_discard_input(s);
    CU_ASSERT_EQUAL(vstream_pending(s), 0);
    vstream_close(s);
    testkit_rmtree(dir);
    free(dir);
    free(big);
    free(back);
}

struct fake_io {
    const char *data; /* what the fake read returns, after one EAGAIN */
    int calls;
    struct vstring *written;
};

/* fake_read - says EAGAIN once, then hands out data uppercased */
static ssize_t fake_read(void *ctx, int fd, void *buf, size_t len)
{
    struct fake_io *io = ctx;
    size_t n = strlen(io->data), i;

    (void)fd;
    if (io->calls++ == 0) {
        errno = EAGAIN;
        return -1;
    }
    n = n < len ? n : len;
    for (i = 0; i < n; i++)
        ((char *)buf)[i] = (char)(io->data[i] & ~0x20);
    io->data += n;
    return (ssize_t)n;
}

/* fake_write - collects what the stream writes */
static ssize_t fake_write(void *ctx, int fd, void *buf, size_t len)
{
    struct fake_io *io = ctx;

    (void)fd;
    if (len > 3)
        len = 3; /* short writes */
    vstring_append(io->written, buf, len);
    return (ssize_t)len;
}

/* test_set_io - replaced I/O sees every byte; EAGAIN waits on the fd */
static void test_set_io(void)
{
    struct fake_io io = {"hello\n", 0, vstring_alloc(8)};
    struct vstring *line = vstring_alloc(8);
    struct vstream *s;
    int sv[2];

    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_EQUAL(write(sv[1], "!", 1), 1); /* makes the fd readable */
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    vstream_set_timeout(s, 1);
    vstream_set_io(s, fake_read, fake_write, &io);
    CU_ASSERT_EQUAL(vstream_get_line(s, line, 80), 6);
    CU_ASSERT_STRING_EQUAL(vstring_str(line), "HELLO\n");
    CU_ASSERT_EQUAL(io.calls, 2);
    CU_ASSERT_EQUAL(vstream_puts(s, "250 ok\r\n"), 0);
    CU_ASSERT_EQUAL(vstream_flush(s), 0);
    CU_ASSERT_STRING_EQUAL(vstring_str(io.written), "250 ok\r\n");
    vstream_set_io(s, 0, 0, 0);
    CU_ASSERT_EQUAL(vstream_getc(s), '!');
    vstream_close(s);
    close(sv[1]);
    vstring_free(line);
    vstring_free(io.written);
}

/* test_read_error - a failing read is VSTREAM_ERR with its errno */
static void test_read_error(void)
{
    int fd = open("/dev/null", O_WRONLY);
    struct vstream *s = vstream_fdopen(fd, VSTREAM_READ);
    char c;

    CU_ASSERT_EQUAL(vstream_read(s, &c, 1), 0);
    CU_ASSERT_EQUAL(vstream_error(s), VSTREAM_ERR);
    CU_ASSERT_EQUAL(vstream_errno(s), EBADF);
    CU_ASSERT_EQUAL(vstream_close(s), 0); /* nothing written, nothing lost */
}

static void call_bad_flags(void *arg)
{
    (void)arg;
    vstream_fdopen(0, 0);
}

static void call_write_readonly(void *arg)
{
    vstream_puts(arg, "x");
}

static struct vstring *panic_line;

static void call_zero_bound(void *arg)
{
    vstream_get_line(arg, panic_line, 0);
}

/* test_contract_panics - broken contracts end in msg_panic (status 2) */
static void test_contract_panics(void)
{
    struct vstream *s = stream_from("x\n", 2);

    panic_line = vstring_alloc(1);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_bad_flags, 0), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_write_readonly, s), 2);
    CU_ASSERT_EQUAL(testkit_expect_exit(call_zero_bound, s), 2);
    vstream_close(s);
    vstring_free(panic_line);
}

static const struct testkit_case cases[] = {
    {"line reads: table of inputs and bounds", test_line_table},
    {"over-long line, then skip_line", test_too_long_then_skip},
    {"read deadline against a silent peer", test_deadline_silent_peer},
    {"read deadline on a non-blocking socket; back to no deadline",
     test_read_deadline_nonblocking},
    {"write deadline against a peer that does not read", test_write_deadline},
    {"socket writes under a deadline never block, never SIGPIPE",
     test_socket_write_never_blocks},
    {"write to a closed pipe fails at flush and close",
     test_write_error_closed_pipe},
    {"write to /dev/full fails at fsync and close", test_write_error_dev_full},
    {"tell and seek on a file, reads and writes mixed", test_tell_seek},
    {"tell starts at the descriptor's offset", test_tell_starts_at_fd_offset},
    {"big printf, read back, discard input", test_big_printf_and_read},
    {"replaced I/O functions and EAGAIN", test_set_io},
    {"read error is sticky ERR with errno", test_read_error},
    {"broken contracts panic", test_contract_panics},
    {NULL, NULL}};

TESTKIT_SUITE("vstream", NULL, NULL, cases);
