/*
 * test_resolve_addr.c - the routing table of resolve_addr() as a
 * specification: local, virtual, transport_maps, relayhost, default,
 * routing tricks that stay local, and syntax errors.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

#include "resolve_addr.h"
#include "resolve_service.h"

struct resolve_case {
    const char *addr;
    const char *relayhost;
    int status;
    const char *transport;
    const char *nexthop; /* for errors: the start of the reason */
};

static const struct resolve_case cases[] = {
    /* our own domains, any case, and a bare local part */
    {"joe@test.example", "", 0, "local", "test.example"},
    {"Joe@LOCALHOST", "", 0, "local", "test.example"},
    {"joe@mail.test.example", "", 0, "local", "test.example"},
    {"joe", "", 0, "local", "test.example"},
    {"postmaster", "", 0, "local", "test.example"},
    /* virtual mailbox domains */
    {"ann@virt.example", "", 0, "virtual", "virt.example"},
    /* transport_maps wins, with parent-domain keys */
    {"bob@routed.example", "", 0, "smtp", "[127.0.0.1]:2526"},
    {"bob@deep.sub.parent.example", "", 0, "lmtp", "unix:/run/lmtp"},
    {"bob@nohop.example", "", 0, "smtp", "nohop.example"},
    {"bob@routed.example", "relay.example:2525", 0, "smtp",
     "[127.0.0.1]:2526"},
    {"bob@refused.example", "", 5, "error", "5.7.1 no mail here"},
    {"bob@plain-error.example", "", 5, "error", "5.1.2 go away"},
    {"bob@later.example", "", 4, "error", "4.4.0 later"},
    /* relayhost, then the default */
    {"bob@far.example", "relay.example:2525", 0, "smtp",
     "[relay.example]:2525"},
    {"bob@far.example", "[10.0.0.1]", 0, "smtp", "[10.0.0.1]"},
    {"bob@far.example", "relay.example", 0, "smtp", "[relay.example]"},
    {"bob@Far.Example", "", 0, "smtp", "far.example"},
    /* routing tricks in our domain are local parts, never routes */
    {"user%far.example@test.example", "", 0, "local", "test.example"},
    {"far.example!user@test.example", "", 0, "local", "test.example"},
    {"\"user@far.example\"@test.example", "", 0, "local", "test.example"},
    /* and in a foreign domain they go to that domain only */
    {"user%test.example@far.example", "", 0, "smtp", "far.example"},
    /* syntax */
    {"", "", 5, "error", "5.1.3"},
    {"a@@b", "", 5, "error", "5.1.3"},
    {"a@b..c", "", 5, "error", "5.1.3"},
    {"<a@b.c>", "", 5, "error", "5.1.3"},
    {"@a,@b:c@d.e", "", 5, "error", "5.1.3"},
};

static char *table_dir;
static char table_path[512];

/* suite_init - a transport table in a temporary file */
static int suite_init(void)
{
    FILE *f;

    table_dir = testkit_tempdir();
    snprintf(table_path, sizeof(table_path), "%s/transport", table_dir);
    if ((f = fopen(table_path, "w")) == 0)
        return -1;
    fputs("routed.example smtp:[127.0.0.1]:2526\n"
          ".parent.example lmtp:unix:/run/lmtp\n"
          "nohop.example smtp:\n"
          "refused.example error:5.7.1 no mail here\n"
          "plain-error.example error:go away\n"
          "later.example error:4.4.0 later\n",
          f);
    return fclose(f);
}

static int suite_cleanup(void)
{
    testkit_rmtree(table_dir);
    return 0;
}

/* conf_for - the test configuration with a relayhost */
static int conf_for(struct resolve_conf *conf, const char *relayhost)
{
    struct vstring *why = vstring_alloc(10);
    int r = resolve_conf_init(conf, "test.example, localhost\nmail.test.example",
                              "virt.example", table_path, "Test.Example",
                              "local", "virtual", "smtp", relayhost, why);

    vstring_free(why);
    return r;
}

static void test_table(void)
{
    struct resolve_reply reply;
    struct resolve_conf conf;
    size_t i;

    resolve_reply_init(&reply);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct resolve_case *c = cases + i;

        CU_ASSERT_EQUAL_FATAL(conf_for(&conf, c->relayhost), 0);
        CU_ASSERT_EQUAL(resolve_addr(&conf, c->addr, &reply), c->status);
        CU_ASSERT_EQUAL(reply.status, c->status);
        CU_ASSERT_STRING_EQUAL(vstring_str(reply.transport), c->transport);
        if (c->status == 0) {
            CU_ASSERT_STRING_EQUAL(vstring_str(reply.nexthop), c->nexthop);
            CU_ASSERT_EQUAL(vstring_len(reply.reason), 0);
        } else {
            CU_ASSERT(strncmp(vstring_str(reply.reason), c->nexthop,
                              strlen(c->nexthop)) == 0);
        }
        if (reply.status != c->status
            || strcmp(vstring_str(reply.transport), c->transport) != 0)
            fprintf(stderr, "case %zu %s: %d %s %s (%s)\n", i, c->addr,
                    reply.status, vstring_str(reply.transport),
                    vstring_str(reply.nexthop), vstring_str(reply.reason));
        resolve_conf_free(&conf);
    }
    resolve_reply_free(&reply);
}

static void test_recipient_is_canonical(void)
{
    struct resolve_reply reply;
    struct resolve_conf conf;

    resolve_reply_init(&reply);
    CU_ASSERT_EQUAL_FATAL(conf_for(&conf, ""), 0);
    resolve_addr(&conf, "joe", &reply);
    CU_ASSERT_STRING_EQUAL(vstring_str(reply.recipient), "joe@test.example");
    resolve_addr(&conf, "\"a b\"@far.example", &reply);
    CU_ASSERT_STRING_EQUAL(vstring_str(reply.recipient), "\"a b\"@far.example");
    resolve_conf_free(&conf);
    resolve_reply_free(&reply);
}

static void test_missing_table_refused(void)
{
    struct resolve_conf conf;
    struct vstring *why = vstring_alloc(10);

    CU_ASSERT_EQUAL(resolve_conf_init(&conf, "a", "", "/nonexistent/transport",
                                      "h", "local", "virtual", "smtp", "", why),
                    -1);
    CU_ASSERT(vstring_len(why) > 0);
    vstring_free(why);
}

static void test_service_conversation(void)
{
    static const char req[] = "address=bob@routed.example\n\n"
                              "nothing=here\n\n"
                              "address=bad@@x\n\n";
    struct resolve_conf conf;
    struct vstream *s;
    char buf[2048];
    int sv[2];
    ssize_t n;

    CU_ASSERT_EQUAL_FATAL(conf_for(&conf, ""), 0);
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CU_ASSERT_EQUAL(write(sv[1], req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
    shutdown(sv[1], SHUT_WR);
    s = vstream_fdopen(sv[0], VSTREAM_RW);
    CU_ASSERT_EQUAL(resolve_service_run(s, &conf), 3);
    vstream_close(s);
    n = read(sv[1], buf, sizeof(buf) - 1);
    CU_ASSERT(n > 0);
    buf[n > 0 ? n : 0] = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "status=0\nreason=\ntransport=smtp\n"
                                       "nexthop=[127.0.0.1]:2526\n"
                                       "recipient=bob@routed.example\n\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "status=5\nreason=5.5.4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "status=5\nreason=5.1.3"));
    close(sv[1]);
    resolve_conf_free(&conf);
}

static const struct testkit_case resolve_cases[] = {
    {"routing table", test_table},
    {"recipient in canonical form", test_recipient_is_canonical},
    {"unreadable transport_maps refused", test_missing_table_refused},
    {"service answers each request", test_service_conversation},
    {NULL, NULL},
};
TESTKIT_SUITE("resolve_addr", suite_init, suite_cleanup, resolve_cases);
