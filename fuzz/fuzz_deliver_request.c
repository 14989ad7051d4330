/*
 * fuzz_deliver_request.c - the delivery agents' request parser
 * (src/mail/deliver_request.h): deliver_request_next over a stream of
 * requests, as a local agent reads a batch that qmgr ends with EOF, and the
 * reply each request gets.
 * FUZZ-TARGETS: src/mail/deliver_request.c
 *
 * Input: byte 0 picks the read size, the rest is read as requests until
 * the parser stops.
 * Invariants:
 *   - an accepted request has 1..DELIVER_REQUEST_MAX_RCPTS recipients, a
 *     valid queue id and file name, offsets and arrival time >= 0, RET "", FULL or HDRS,
 *     no empty recipient, and no value longer than DELIVER_REQUEST_VALUE_MAX;
 *   - written back as qmgr writes a request, it reads back the same;
 *   - 0 (the end of the batch) only with all input consumed, -1 always
 *     with a reason, and nothing is read after either;
 *   - the reply to a request, outcomes recorded for every recipient, is
 *     one record of four attributes per recipient, in request order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "deliver_request.h"
#include "fuzz_common.h"
#include "mail_proto.h"
#include "queue.h"
#include "vstream.h"
#include "vstring.h"

#define BATCH_MAX 64 /* requests read from one input at most */

/* encode - req as qmgr writes it (qmgr_conn.c) */
static void encode(const struct deliver_request *req, struct vstring *out)
{
    struct attr_list *list = attr_list_alloc();
    struct fuzz_mem mem;
    struct vstream *s = fuzz_mem_stream(&mem, "", 0, 0, out);
    size_t i;

    attr_list_add(list, MAIL_ATTR_QUEUE_NAME, req->queue_name);
    attr_list_add(list, MAIL_ATTR_QUEUE_ID, req->queue_id);
    attr_list_add(list, MAIL_ATTR_QUEUE_FILE, req->queue_file);
    attr_list_add_long(list, MAIL_ATTR_CONTENT_OFFSET, (long)req->content_offset);
    attr_list_add(list, MAIL_ATTR_SENDER, req->sender);
    attr_list_add(list, MAIL_ATTR_ENVID, req->envid);
    attr_list_add(list, MAIL_ATTR_RET, req->ret);
    attr_list_add(list, MAIL_ATTR_NEXTHOP, req->nexthop);
    attr_list_add_long(list, MAIL_ATTR_ARRIVAL_TIME, req->arrival_time);
    for (i = 0; i < req->rcpt_count; i++) {
        attr_list_add(list, MAIL_ATTR_RCPT, req->rcpts[i].address);
        attr_list_add_long(list, MAIL_ATTR_RCPT_OFFSET, (long)req->rcpts[i].offset);
        attr_list_add(list, MAIL_ATTR_ORCPT, req->rcpts[i].orcpt);
        attr_list_add(list, MAIL_ATTR_NOTIFY, req->rcpts[i].notify);
    }
    vstring_reset(out);
    FUZZ_CHECK(attr_write(s, list) == 0, "attr_write failed");
    vstream_release(s);
    attr_list_free(list);
}

/* same - two requests with the same fields */
static int same(const struct deliver_request *a, const struct deliver_request *b)
{
    size_t i;

    if (strcmp(a->queue_name, b->queue_name) || strcmp(a->queue_id, b->queue_id)
        || strcmp(a->queue_file, b->queue_file)
        || strcmp(a->sender, b->sender) || strcmp(a->envid, b->envid)
        || strcmp(a->ret, b->ret) || strcmp(a->nexthop, b->nexthop)
        || a->content_offset != b->content_offset
        || a->arrival_time != b->arrival_time || a->rcpt_count != b->rcpt_count)
        return 0;
    for (i = 0; i < a->rcpt_count; i++)
        if (strcmp(a->rcpts[i].address, b->rcpts[i].address)
            || strcmp(a->rcpts[i].orcpt, b->rcpts[i].orcpt)
            || strcmp(a->rcpts[i].notify, b->rcpts[i].notify)
            || a->rcpts[i].offset != b->rcpts[i].offset)
            return 0;
    return 1;
}

/* check_fields - what an accepted request promises */
static void check_fields(const struct deliver_request *req)
{
    size_t i;

    FUZZ_CHECK(req->rcpt_count >= 1
                   && req->rcpt_count <= DELIVER_REQUEST_MAX_RCPTS,
               "%zu recipients", req->rcpt_count);
    FUZZ_CHECK(queue_id_valid(req->queue_id), "bad queue id accepted");
    FUZZ_CHECK(queue_id_valid(req->queue_file), "bad queue file name accepted");
    FUZZ_CHECK(req->content_offset >= 0 && req->arrival_time >= 0,
               "negative number accepted");
    FUZZ_CHECK(*req->ret == 0 || strcmp(req->ret, "FULL") == 0
                   || strcmp(req->ret, "HDRS") == 0, "bad RET accepted");
    FUZZ_CHECK(strlen(req->sender) <= DELIVER_REQUEST_VALUE_MAX
                   && strlen(req->nexthop) <= DELIVER_REQUEST_VALUE_MAX,
               "value over the limit");
    for (i = 0; i < req->rcpt_count; i++) {
        FUZZ_CHECK(*req->rcpts[i].address, "empty recipient accepted");
        FUZZ_CHECK(req->rcpts[i].offset >= 0, "negative offset accepted");
        FUZZ_CHECK(strlen(req->rcpts[i].address) <= DELIVER_REQUEST_VALUE_MAX,
                   "recipient over the limit");
    }
}

/* roundtrip - req written as qmgr writes it reads back the same */
static void roundtrip(const struct deliver_request *req)
{
    struct vstring *enc = vstring_alloc(256), *why = vstring_alloc(64);
    struct deliver_request *back;
    struct fuzz_mem mem;
    struct vstream *s;

    encode(req, enc);
    s = fuzz_mem_stream(&mem, vstring_str(enc), vstring_len(enc), 0, 0);
    FUZZ_CHECK(deliver_request_next(s, &back, why) == 1,
               "own request refused: %s", vstring_str(why));
    FUZZ_CHECK(same(req, back), "round trip changed the request");
    deliver_request_free(back);
    FUZZ_CHECK(deliver_request_next(s, &back, why) == 0 && back == 0,
               "more after the request");
    vstream_release(s);
    vstring_free(enc);
    vstring_free(why);
}

/* reply - outcomes for every recipient make one record of 4 per recipient */
static void reply(struct deliver_request *req)
{
    struct vstring *out = vstring_alloc(256), *why = vstring_alloc(64);
    struct attr_list *list = attr_list_alloc();
    struct fuzz_mem mem;
    struct vstream *s = fuzz_mem_stream(&mem, "", 0, 0, out);
    size_t i;

    for (i = 0; i < req->rcpt_count; i++)
        deliver_request_status(req, i, i % 2 ? "4.2.0" : "2.0.0",
                               i % 2 ? "deferred" : "delivered", "text");
    FUZZ_CHECK(deliver_request_reply(s, req) == 0, "reply failed");
    vstream_release(s);
    s = fuzz_mem_stream(&mem, vstring_str(out), vstring_len(out), 0, 0);
    FUZZ_CHECK(attr_read(s, list, 0, why) == 1, "reply unreadable: %s",
               vstring_str(why));
    FUZZ_CHECK(attr_list_count(list) == 4 * req->rcpt_count,
               "reply has %zu attributes for %zu recipients",
               attr_list_count(list), req->rcpt_count);
    for (i = 0; i < attr_list_count(list); i += 4)
        FUZZ_CHECK(strcmp(attr_list_name_at(list, i), MAIL_ATTR_RCPT_OFFSET)
                       == 0, "reply out of order");
    vstream_release(s);
    attr_list_free(list);
    vstring_free(out);
    vstring_free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    unsigned opt = fuzz_take_byte(&in);
    struct vstring *why = vstring_alloc(64);
    struct deliver_request *req;
    struct fuzz_mem mem;
    struct vstream *s;
    int r = 1, n;

    fuzz_init();
    s = fuzz_mem_stream(&mem, in.data, in.len, opt & 0x1f, 0);
    for (n = 0; n < BATCH_MAX && (r = deliver_request_next(s, &req, why)) == 1;
         n++) {
        FUZZ_CHECK(req != 0, "1 without a request");
        check_fields(req);
        roundtrip(req);
        reply(req);
        deliver_request_free(req);
    }
    FUZZ_CHECK(r == 1 || r == 0 || r == -1, "returned %d", r);
    FUZZ_CHECK(r != 0 || vstream_getc(s) == VSTREAM_EOF,
               "end of batch with input left");
    FUZZ_CHECK(r != -1 || vstring_len(why) > 0, "refusal without a reason");
    vstream_release(s);
    vstring_free(why);
    return 0;
}
