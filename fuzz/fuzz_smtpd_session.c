/*
 * fuzz_smtpd_session.c - a whole SMTP session (smtpd_session_run) over a
 * memory-backed stream, the client being the fuzzer: any bytes, pipelined
 * commands, DATA, BDAT, in reads of any size, against a fake backend that
 * checks its contract and may fail at begin, write or commit.
 * FUZZ-TARGETS: src/smtpd/smtpd_session.c src/smtpd/smtpd_commands.c src/smtpd/smtpd_transfer.c src/smtpd/smtpd_cmd.c src/smtpd/smtpd_state.c src/smtpd/smtpd_params.c src/smtpd/smtpd_path.c src/smtpd/smtpd_relay.c src/smtpd/smtpd_reply.c src/smtpd/smtpd_data.c src/smtpd/smtpd_bdat.c
 *
 * Input: byte 0 the backend's behaviour, byte 1 the read size, byte 2 the
 * client (trusted or not) and VRFY; then a reason for the backend's
 * failures up to a NUL byte; then the client's bytes.
 * Invariants:
 *   - backend contract: begin only outside a message, write/commit/abort
 *     only inside, at most one of commit/abort per begin;
 *   - committed content (the client's bytes: cleanup writes the Received:
 *     line) has CR only before LF and LF only after CR, no NUL, and is
 *     empty or ends in CR LF;
 *   - envelopes hold at least one and at most rcpt_limit recipients, and no
 *     control character in the sender, recipients or HELO name;
 *   - "250 2.0.0 Ok: queued as ID" appears exactly once per commit that
 *     returned OK, with the id the backend gave, in order;
 *   - every reply line is "ddd[ -]text" CR LF, at most 512 bytes;
 *   - the session never times out on a memory stream, and ends with an
 *     I/O error only after the whole input was read (a reply written after
 *     the client's EOF fails: the stream's EOF is sticky).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "smtpd_backend.h"
#include "smtpd_netlist.h"
#include "smtpd_session.h"
#include "vstream.h"
#include "vstring.h"

struct fake {
    unsigned mode; /* byte 0 of the input */
    const char *why;
    int in_message;
    int begins, oks;
    char ids[64][16]; /* ids of the commits that returned OK, in order */
    struct vstring *content;
};

/* ctrl_free - no control byte in s */
static int ctrl_free(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* fk_begin - check the envelope; OK, DEFER or REJECT as the input says */
static int fk_begin(void *ctx, const struct smtpd_envelope *env,
                    struct vstring *queue_id, struct vstring *why)
{
    struct fake *f = ctx;
    size_t i;

    FUZZ_CHECK(!f->in_message, "begin inside a message");
    FUZZ_CHECK(env->nrcpt >= 1 && env->nrcpt <= 3, "%zu recipients",
               env->nrcpt);
    FUZZ_CHECK(ctrl_free(env->sender) && ctrl_free(env->helo),
               "control byte in sender or helo");
    for (i = 0; i < env->nrcpt; i++)
        FUZZ_CHECK(ctrl_free(env->rcpt[i].addr) && env->rcpt[i].addr[0],
                   "bad recipient %zu", i);
    f->begins++;
    if ((f->mode & 3) == 3 && f->begins % 2 == 0) {
        vstring_sprintf(why, "%s", f->why);
        return (f->mode & 4) ? SMTPD_BACKEND_REJECT : SMTPD_BACKEND_DEFER;
    }
    f->in_message = 1;
    vstring_reset(f->content);
    vstring_sprintf(queue_id, "Q%d", f->begins);
    return SMTPD_BACKEND_OK;
}

/* fk_write - collect; fail when told */
static int fk_write(void *ctx, const char *buf, size_t len)
{
    struct fake *f = ctx;

    FUZZ_CHECK(f->in_message, "write outside a message");
    FUZZ_CHECK(len > 0, "empty write");
    if ((f->mode & 3) == 1 && f->begins % 2 == 0)
        return -1;
    vstring_append(f->content, buf, len);
    return 0;
}

/* check_content - what a queue may receive */
static void check_content(const struct vstring *v)
{
    const char *p = vstring_str(v);
    size_t n = vstring_len(v), i;

    /* empty is fine ("DATA" then "."): cleanup adds the headers */
    FUZZ_CHECK(n == 0 || (n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n'),
               "content does not end in CR LF");
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(p[i] != 0, "NUL in content at %zu", i);
        FUZZ_CHECK(p[i] != '\r' || (i + 1 < n && p[i + 1] == '\n'),
                   "bare CR in content at %zu", i);
        FUZZ_CHECK(p[i] != '\n' || (i > 0 && p[i - 1] == '\r'),
                   "bare LF in content at %zu", i);
    }
}

/* fk_commit - check the content, then OK or fail as the input says */
static int fk_commit(void *ctx, struct vstring *queue_id, struct vstring *why)
{
    struct fake *f = ctx;

    FUZZ_CHECK(f->in_message, "commit outside a message");
    f->in_message = 0;
    if ((f->mode & 3) == 1 && f->begins % 2 == 0)
        fuzz_fail("commit after a failed write");
    check_content(f->content);
    if ((f->mode & 3) == 2 && f->begins % 2 == 0) {
        vstring_sprintf(why, "%s", f->why);
        return (f->mode & 4) ? SMTPD_BACKEND_REJECT : SMTPD_BACKEND_DEFER;
    }
    if (f->oks < 64)
        snprintf(f->ids[f->oks], sizeof(f->ids[0]), "%s",
                 vstring_str(queue_id));
    f->oks++;
    return SMTPD_BACKEND_OK;
}

/* fk_abort - only inside a message */
static void fk_abort(void *ctx)
{
    struct fake *f = ctx;

    FUZZ_CHECK(f->in_message, "abort outside a message");
    f->in_message = 0;
}

/* check_replies - well-formed lines; one "queued as" per good commit */
static void check_replies(const struct vstring *out, const struct fake *f)
{
    const char *p = vstring_str(out), *end = p + vstring_len(out), *eol;
    static const char queued[] = "250 2.0.0 Ok: queued as ";
    int n = 0;

    for (; p < end; p = eol + 2) {
        eol = memchr(p, '\r', (size_t)(end - p));
        FUZZ_CHECK(eol != 0 && eol + 1 < end && eol[1] == '\n',
                   "reply line without CR LF");
        FUZZ_CHECK(eol - p >= 4 && eol - p + 2 <= 512, "reply line length %ld",
                   (long)(eol - p));
        FUZZ_CHECK(p[0] >= '2' && p[0] <= '5' && p[1] >= '0' &&
                       p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
                       (p[3] == ' ' || p[3] == '-'),
                   "malformed reply line");
        FUZZ_CHECK(memchr(p, '\n', (size_t)(eol - p)) == 0, "LF in reply");
        if ((size_t)(eol - p) > sizeof(queued) - 1 &&
            memcmp(p, queued, sizeof(queued) - 1) == 0) {
            size_t idlen = (size_t)(eol - p) - (sizeof(queued) - 1);

            FUZZ_CHECK(n < f->oks, "250 queued without a commit");
            if (n < 64)
                FUZZ_CHECK(strlen(f->ids[n]) == idlen &&
                               memcmp(f->ids[n], p + sizeof(queued) - 1,
                                      idlen) == 0,
                           "250 queued with the wrong id");
            n++;
        }
    }
    FUZZ_CHECK(n == f->oks, "%d commits but %d queued replies", f->oks, n);
}

static struct smtpd_netlist nets;
static const char *const dest[] = {"example.org", "example.net", 0};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    struct fake f;
    struct smtpd_backend be = {&f, fk_begin, fk_write, fk_commit, fk_abort,
                               0};
    struct smtpd_config cfg;
    struct smtpd_client client;
    struct fuzz_mem mem;
    struct vstream *stream;
    struct vstring *out, *why;
    unsigned chunk, flags;
    const char *reason;
    size_t reason_len;
    char *why_text;
    int how;

    fuzz_init();
    memset(&f, 0, sizeof(f));
    f.mode = fuzz_take_byte(&in);
    chunk = fuzz_take_byte(&in);
    flags = fuzz_take_byte(&in);
    reason = fuzz_take_until(&in, 0, &reason_len);
    why_text = fuzz_strndup(reason, reason_len > 600 ? 600 : reason_len);
    f.why = why_text;
    f.content = vstring_alloc(1024);
    out = vstring_alloc(1024);
    why = vstring_alloc(64);
    if (nets.count == 0 &&
        smtpd_netlist_parse(&nets, "127.0.0.0/8, [::1]/128", why) < 0)
        fuzz_fail("netlist: %s", vstring_str(why));
    smtpd_config_defaults(&cfg);
    cfg.myhostname = "mx.example.org";
    cfg.mydestination = dest;
    cfg.mynetworks = &nets;
    cfg.line_limit = 512;
    cfg.message_size_limit = 10000;
    cfg.rcpt_limit = 3;
    cfg.error_limit = 5;
    cfg.timeout = 5;
    cfg.vrfy_enable = (flags & 2) != 0;
    client.addr = (flags & 1) ? "127.0.0.1" : "192.0.2.7";
    client.name = "unknown";
    stream = fuzz_mem_stream(&mem, in.data, in.len, chunk, out);
    how = smtpd_session_run(stream, &cfg, &client, &be);
    vstream_flush(stream);
    FUZZ_CHECK(how == SMTPD_SESSION_QUIT || how == SMTPD_SESSION_EOF ||
                   how == SMTPD_SESSION_ERRORS ||
                   (how == SMTPD_SESSION_IO && mem.pos == mem.len),
               "session ended with %d", how);
    FUZZ_CHECK(!f.in_message, "message neither committed nor aborted");
    check_replies(out, &f);
    vstream_release(stream);
    vstring_free(out);
    vstring_free(why);
    vstring_free(f.content);
    free(why_text);
    return 0;
}
