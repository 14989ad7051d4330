/*
 * sluice_queue.c - "sluice list" (the mailq view, or --json) and
 * "sluice show ID" (envelope and content), through the one reader; a
 * message being delivered where cleanup committed it, in spare/, is
 * listed as active (sluice_queue_spare.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"
#include "queue.h"
#include "queue_file.h"

#include "sluice.h"
#include "sluice_queue.h"

const char *const sluice_queue_names[] = {QUEUE_INCOMING, QUEUE_ACTIVE,
                                          QUEUE_DEFERRED, QUEUE_HOLD, 0};

/* sluice_queue_root - queue_directory */
const char *sluice_queue_root(void)
{
    return mail_conf_str("queue_directory");
}

/* sluice_queue_find - which queue holds id */
const char *sluice_queue_find(const char *id)
{
    struct vstring *path = vstring_alloc(100);
    const char *const *q;
    FILE *fp;

    for (q = sluice_queue_names; *q; q++) {
        queue_path(path, sluice_queue_root(), *q, id);
        if ((fp = fopen(vstring_str(path), "r")) != 0) {
            fclose(fp);
            break;
        }
    }
    vstring_free(path);
    return *q;
}

/* json_str - a JSON string literal */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* arrival_text - "Sun Nov 29 12:44:29" */
static const char *arrival_text(long sec)
{
    static char buf[64];
    time_t t = sec;
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S", &tm);
    return buf;
}

/* list_one - one message, human or JSON; count it */
static void list_one(const struct queue_message *m, int json, int *count)
{
    size_t i;
    int first = 1;

    if (json) {
        printf("%s{\"id\": ", (*count)++ ? ",\n " : "");
        json_str(m->id);
        printf(", \"queue\": ");
        json_str(m->queue);
        printf(", \"size\": %lld, \"arrival\": %ld, \"sender\": ",
               (long long)m->file_size, m->arrival_sec);
        json_str(m->sender);
        printf(", \"recipients\": [");
        for (i = 0; i < m->rcpt_count; i++) {
            printf("%s{\"address\": ", i ? ", " : "");
            json_str(m->rcpts[i].address);
            printf(", \"done\": %s}", m->rcpts[i].done ? "true" : "false");
        }
        printf("]}");
        return;
    }
    (*count)++;
    printf("%-23s %-8s %8lld %s  %s\n", m->id, m->queue,
           (long long)m->file_size, arrival_text(m->arrival_sec),
           *m->sender ? m->sender : "<>");
    for (i = 0; i < m->rcpt_count; i++) {
        if (m->rcpts[i].done)
            continue;
        printf("%62s%s\n", "", m->rcpts[i].address);
        first = 0;
    }
    if (first)
        printf("%62s(every recipient done)\n", "");
}

struct list_ctx {
    int json;
    int count;
};

/* list_spare - sluice_spare_walk callback: one message in spare/ */
static void list_spare(const char *name, const char *id, void *ctx)
{
    struct list_ctx *l = ctx;
    struct vstring *why = vstring_alloc(100);
    struct queue_message *m;

    if (sluice_spare_read(name, id, &m, why) == QUEUE_FILE_OK) {
        list_one(m, l->json, &l->count);
        queue_message_free(m);
    }
    vstring_free(why);
}

/* sluice_list - every message in the queues, and those in spare/ */
int sluice_list(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *id = vstring_alloc(QUEUE_ID_LEN + 1);
    const char *const *q;
    struct queue_message *m;
    struct queue_scan scan;
    int json = argc == 2 && strcmp(argv[1], "--json") == 0;
    int count = 0, is_part, rc = 0;
    struct list_ctx lc;

    if (argc > 2 || (argc == 2 && !json)) {
        fprintf(stderr, "usage: sluice list [--json]\n");
        return 2;
    }
    if (json)
        printf("[");
    else
        printf("%-23s %-8s %8s %-19s  %s\n", "-Queue ID-", "-Queue-", "-Size-",
               "---Arrival Time----", "-Sender/Recipient-");
    for (q = sluice_queue_names; *q; q++) {
        if (queue_scan_open(&scan, sluice_queue_root(), *q, why) != 0) {
            msg_warn("%s", vstring_str(why));
            rc = 1;
            continue;
        }
        while (queue_scan_next(&scan, id, &is_part)) {
            if (is_part)
                continue;
            if (queue_file_read(sluice_queue_root(), *q, vstring_str(id),
                                QUEUE_FILE_RDONLY, &m, why) != QUEUE_FILE_OK)
                continue; /* gone, or refused (moved to corrupt/, logged) */
            list_one(m, json, &count);
            queue_message_free(m);
        }
        queue_scan_close(&scan);
    }
    lc.json = json;
    lc.count = count;
    if (sluice_spare_walk(list_spare, &lc, why) != 0) {
        msg_warn("%s", vstring_str(why));
        rc = 1;
    }
    count = lc.count;
    if (json)
        printf("]\n");
    else
        printf("-- %d message%s\n", count, count == 1 ? "" : "s");
    vstring_free(id);
    vstring_free(why);
    return rc;
}

/* show_content - the message as stored */
static int show_content(struct queue_message *m)
{
    struct vstring *chunk = vstring_alloc(4096);
    int r = -1;

    if (queue_message_rewind(m) == 0)
        while ((r = queue_message_next_chunk(m, chunk)) == 1)
            fwrite(vstring_str(chunk), 1, vstring_len(chunk), stdout);
    vstring_free(chunk);
    return r == 0 ? 0 : 1;
}

/* sluice_show - envelope and content of one message */
int sluice_show(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    struct vstring *name = vstring_alloc(QUEUE_ID_LEN + 1);
    struct queue_message *m;
    const char *queue;
    size_t i;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: sluice show ID\n");
        return 2;
    }
    if (!queue_id_valid(argv[1])
        || ((queue = sluice_queue_find(argv[1])) == 0
            && !sluice_spare_find(argv[1], name))) {
        fprintf(stderr, "sluice: %s: no such message\n", argv[1]);
    } else if ((queue ? queue_file_read(sluice_queue_root(), queue, argv[1],
                                        QUEUE_FILE_RDONLY, &m, why)
                      : sluice_spare_read(vstring_str(name), argv[1], &m, why))
               != QUEUE_FILE_OK) {
        fprintf(stderr, "sluice: %s: %s\n", argv[1], vstring_str(why));
    } else {
        printf("id: %s\nqueue: %s\narrival: %ld.%06ld\nsender: %s\n", m->id,
               m->queue, m->arrival_sec, m->arrival_usec, m->sender);
        for (i = 0; i < m->attr_count; i++)
            printf("attr: %s=%s\n", m->attrs[i].name, m->attrs[i].value);
        for (i = 0; i < m->rcpt_count; i++)
            printf("recipient: %s%s%s%s%s%s\n", m->rcpts[i].address,
                   m->rcpts[i].done ? " (done)" : "",
                   *m->rcpts[i].notify ? " notify=" : "", m->rcpts[i].notify,
                   *m->rcpts[i].orcpt ? " orcpt=" : "", m->rcpts[i].orcpt);
        printf("\n");
        rc = show_content(m);
        queue_message_free(m);
    }
    vstring_free(name);
    vstring_free(why);
    return rc;
}
