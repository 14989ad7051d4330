/*
 * cleanup_content.c - the message content as it arrives in 'C' records:
 * cut into lines (a line may span records), the header section collected,
 * the body streamed into the queue file (cleanup_state.h).
 */
#include <string.h>

#include "vstring.h"

#include "cleanup_state.h"

/* body_line - one body line out, flushed in chunks */
static void body_line(struct cleanup_job *s, const char *line, size_t len)
{
    vstring_append(s->out, line, len);
    vstring_append_char(s->out, '\n');
    if (vstring_len(s->out) >= CLEANUP_CHUNK) {
        cleanup_write_content(s, vstring_str(s->out), vstring_len(s->out));
        vstring_reset(s->out);
    }
}

/* take_line - one complete line (line end removed) */
static void take_line(struct cleanup_job *s, const char *line, size_t len)
{
    if (s->status != 0)
        return;
    switch (cleanup_msg_line(&s->msg, line, len, s->why)) {
    case CLEANUP_LINE_ERROR:
        s->status = 5; /* the limits' reasons are all 5.x.x */
        break;
    case CLEANUP_LINE_SEPARATOR:
        cleanup_headers_done(s);
        break;
    case CLEANUP_LINE_BODY_FIRST:
        cleanup_headers_done(s);
        if (s->status == 0)
            body_line(s, line, len);
        break;
    case CLEANUP_LINE_BODY:
        body_line(s, line, len);
        break;
    case CLEANUP_LINE_HEADER:
        break;
    }
}

/* cleanup_content_bytes - cut a record's bytes into lines */
void cleanup_content_bytes(struct cleanup_job *s, const char *buf,
                           size_t len)
{
    /* a line may be longer than the limit by its CR, and one byte more
     * tells cleanup_msg_line that it is too long */
    size_t bound = s->cfg->limits.line_length_limit + 2, n, line_len;
    const char *lf;

    while (len > 0 && s->status == 0) {
        lf = memchr(buf, '\n', len);
        n = lf ? (size_t)(lf - buf) + 1 : len;
        if (vstring_len(s->line) + n > bound + 1) {
            /* too long whatever follows: hand over a bounded prefix */
            vstring_append(s->line, buf, bound + 1 - vstring_len(s->line));
            take_line(s, vstring_str(s->line), bound);
            return;
        }
        vstring_append(s->line, buf, n);
        if (lf) {
            (void)cleanup_next_line(vstring_str(s->line), vstring_len(s->line),
                                    &line_len);
            take_line(s, vstring_str(s->line), line_len);
            vstring_reset(s->line);
        }
        buf += n;
        len -= n;
    }
}

/* cleanup_content_end - the last line, the header end, the last chunk */
void cleanup_content_end(struct cleanup_job *s)
{
    size_t line_len;

    if (s->status == 0 && vstring_len(s->line) > 0) {
        (void)cleanup_next_line(vstring_str(s->line), vstring_len(s->line),
                                &line_len);
        take_line(s, vstring_str(s->line), line_len);
        vstring_reset(s->line);
    }
    if (s->status == 0 && cleanup_msg_end(&s->msg, s->why) < 0)
        s->status = 5;
    if (s->status == 0 && !s->headers_done)
        cleanup_headers_done(s);
    if (s->status == 0 && vstring_len(s->out) > 0) {
        cleanup_write_content(s, vstring_str(s->out), vstring_len(s->out));
        vstring_reset(s->out);
    }
}
