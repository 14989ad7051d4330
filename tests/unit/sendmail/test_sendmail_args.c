/*
 * test_sendmail_args.c - argument vectors of real callers and of mistakes,
 * and what sendmail must make of them.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "sendmail_args.h"
#include "testkit.h"
#include "vstring.h"

#define MAXARGS 12

struct args_case {
    const char *who;           /* the caller this vector comes from */
    const char *argv[MAXARGS]; /* NULL-terminated */
    int status;                /* 0 or EX_USAGE */
    const char *error;         /* substring of why when EX_USAGE */
    enum sendmail_mode mode;
    int extract, ignore_dots;
    const char *sender, *fullname;
    const char *rcpts; /* recipients joined by ' ' */
};

static const struct args_case args_cases[] = {
    {"cron",
     {"/usr/sbin/sendmail", "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root",
      0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     1,
     0,
     "CronDaemon",
     "root"},
    {"php mail()",
     {"sendmail", "-t", "-i", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     1,
     1,
     0,
     0,
     ""},
    {"mail(1)",
     {"sendmail", "-oi", "-f", "x@example.org", "--", "a", "b", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     1,
     "x@example.org",
     0,
     "a b"},
    {"mutt",
     {"/usr/sbin/sendmail", "-oem", "-oi", "-N", "failure,delay", "-R", "hdrs",
      "-V", "env.1", "--", "bob@example.org", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     1,
     0,
     0,
     "bob@example.org"},
    {"git send-email",
     {"/usr/sbin/sendmail", "-i", "-f", "dev@example.org", "list@example.org",
      "maint@example.org", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     1,
     "dev@example.org",
     0,
     "list@example.org maint@example.org"},
    {"grouped flags",
     {"sendmail", "-ti", "-fme", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     1,
     1,
     "me",
     0,
     ""},
    {"bounce sender",
     {"sendmail", "-f", "<>", "a", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     0,
     "",
     0,
     "a"},
    {"bracketed sender",
     {"sendmail", "-r<a@b>", "c", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     0,
     "a@b",
     0,
     "c"},
    {"-t plus recipients",
     {"sendmail", "-t", "extra", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     1,
     0,
     0,
     0,
     "extra"},
    {"recipient then option",
     {"sendmail", "a", "-i", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     0,
     0,
     0,
     "a -i"},
    {"mailq",
     {"/usr/bin/mailq", 0},
     0,
     0,
     SENDMAIL_MODE_LIST_QUEUE,
     0,
     0,
     0,
     0,
     ""},
    {"-bp",
     {"sendmail", "-bp", 0},
     0,
     0,
     SENDMAIL_MODE_LIST_QUEUE,
     0,
     0,
     0,
     0,
     ""},
    {"-bs", {"sendmail", "-bs", 0}, 0, 0, SENDMAIL_MODE_SMTP, 0, 0, 0, 0, ""},
    {"newaliases",
     {"newaliases", 0},
     0,
     0,
     SENDMAIL_MODE_NEWALIASES,
     0,
     0,
     0,
     0,
     ""},
    {"-I",
     {"sendmail", "-I", 0},
     0,
     0,
     SENDMAIL_MODE_NEWALIASES,
     0,
     0,
     0,
     0,
     ""},
    {"-bv",
     {"sendmail", "-bv", "a", 0},
     0,
     0,
     SENDMAIL_MODE_VERIFY,
     0,
     0,
     0,
     0,
     "a"},
    {"-bd",
     {"sendmail", "-bd", "-q30m", 0},
     0,
     0,
     SENDMAIL_MODE_DAEMON,
     0,
     0,
     0,
     0,
     ""},
    {"-q", {"sendmail", "-q", 0}, 0, 0, SENDMAIL_MODE_FLUSH, 0, 0, 0, 0, ""},
    {"ignored options",
     {"sendmail", "-odb", "-om", "-o7", "-oL", "9", "-U", "-h", "17",
      "-ODeliveryMode=b", "u", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     0,
     0,
     0,
     "u"},
    {"-o i separated",
     {"sendmail", "-o", "i", "u", 0},
     0,
     0,
     SENDMAIL_MODE_DELIVER,
     0,
     1,
     0,
     0,
     "u"},
    {"no recipients",
     {"sendmail", "-i", 0},
     EX_USAGE,
     "no recipients",
     0,
     0,
     0,
     0,
     0,
     0},
    {"unknown option",
     {"sendmail", "-k", "u", 0},
     EX_USAGE,
     "unknown option -k",
     0,
     0,
     0,
     0,
     0,
     0},
    {"unknown -o",
     {"sendmail", "-oZ", "u", 0},
     EX_USAGE,
     "unknown option -oZ",
     0,
     0,
     0,
     0,
     0,
     0},
    {"missing value",
     {"sendmail", "-f", 0},
     EX_USAGE,
     "option -f needs a value",
     0,
     0,
     0,
     0,
     0,
     0},
    {"bad notify",
     {"sendmail", "-N", "sometimes", "u", 0},
     EX_USAGE,
     "-N: bad notify value",
     0,
     0,
     0,
     0,
     0,
     0},
    {"never with others",
     {"sendmail", "-N", "never,success", "u", 0},
     EX_USAGE,
     "-N: bad notify value",
     0,
     0,
     0,
     0,
     0,
     0},
    {"bad ret",
     {"sendmail", "-R", "body", "u", 0},
     EX_USAGE,
     "-R: bad",
     0,
     0,
     0,
     0,
     0,
     0},
    {"bad body",
     {"sendmail", "-B", "BINARYMIME", "u", 0},
     EX_USAGE,
     "-B: bad body type",
     0,
     0,
     0,
     0,
     0,
     0},
    {"bad envid",
     {"sendmail", "-V", "has space", "u", 0},
     EX_USAGE,
     "-V: bad envelope id",
     0,
     0,
     0,
     0,
     0,
     0},
    {"address test mode",
     {"sendmail", "-bt", 0},
     EX_USAGE,
     "-bt: mode not supported",
     0,
     0,
     0,
     0,
     0,
     0},
    {"other config",
     {"sendmail", "-C", "/tmp/evil.cf", "u", 0},
     EX_USAGE,
     "not supported",
     0,
     0,
     0,
     0,
     0,
     0},
    {"traffic log",
     {"sendmail", "-X", "/etc/passwd", "u", 0},
     EX_USAGE,
     "not supported",
     0,
     0,
     0,
     0,
     0,
     0},
    {"other queue",
     {"sendmail", "-oQ/tmp", "u", 0},
     EX_USAGE,
     "-oQ is not supported",
     0,
     0,
     0,
     0,
     0,
     0},
    {"lone dash",
     {"sendmail", "-", "u", 0},
     EX_USAGE,
     "not an option",
     0,
     0,
     0,
     0,
     0,
     0},
    {"mailq with recipients",
     {"mailq", "u", 0},
     EX_USAGE,
     "mode that takes none",
     0,
     0,
     0,
     0,
     0,
     0},
    {"empty recipient",
     {"sendmail", "", 0},
     EX_USAGE,
     "empty or too long",
     0,
     0,
     0,
     0,
     0,
     0},
    {0, {0}, 0, 0, 0, 0, 0, 0, 0, 0},
};

/* joined - the recipients as one string */
static void joined(struct vstring *out, const struct sendmail_args *a)
{
    size_t i;

    vstring_reset(out);
    for (i = 0; i < a->rcpt_count; i++)
        vstring_sprintf_append(out, "%s%s", i ? " " : "", a->recipients[i]);
}

/* same - two optional strings are equal */
static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* test_callers - args_cases */
static void test_callers(void)
{
    const struct args_case *c;
    struct vstring *why = vstring_alloc(64);
    struct vstring *rcpts = vstring_alloc(64);
    struct sendmail_args a;
    int argc, status, ok;

    for (c = args_cases; c->who; c++) {
        for (argc = 0; c->argv[argc]; argc++)
            ;
        vstring_reset(why);
        status = sendmail_args_parse(&a, argc, (char **)c->argv, why);
        if (c->status) {
            ok = status == c->status && strstr(vstring_str(why), c->error);
        } else {
            joined(rcpts, &a);
            ok = status == 0 && a.mode == c->mode &&
                 a.extract_recipients == c->extract &&
                 a.ignore_dots == c->ignore_dots && same(a.sender, c->sender) &&
                 same(a.fullname, c->fullname) &&
                 strcmp(vstring_str(rcpts), c->rcpts) == 0;
        }
        if (!ok)
            fprintf(stderr, "case \"%s\": status %d why \"%s\"\n", c->who,
                    status, vstring_str(why));
        CU_ASSERT(ok);
        sendmail_args_free(&a);
    }
    vstring_free(why);
    vstring_free(rcpts);
}

/* test_dsn_values - what mutt's vector sets beyond the common fields */
static void test_dsn_values(void)
{
    const char *argv[] = {
        "sendmail",       "-N", "Failure,DELAY", "-R",   "hdrs", "-V",
        "env.1",          "-B", "7bit",          "-oee", "-v",   "-v",
        "-qRexample.org", 0};
    struct vstring *why = vstring_alloc(64);
    struct sendmail_args a;

    CU_ASSERT_EQUAL(sendmail_args_parse(&a, 13, (char **)argv, why), 0);
    CU_ASSERT_EQUAL(a.notify, SENDMAIL_NOTIFY_FAILURE | SENDMAIL_NOTIFY_DELAY);
    CU_ASSERT_EQUAL(a.ret, SENDMAIL_RET_HDRS);
    CU_ASSERT_STRING_EQUAL(a.envid, "env.1");
    CU_ASSERT_EQUAL(a.body, SENDMAIL_BODY_7BIT);
    CU_ASSERT_EQUAL(a.error_mode, 'e');
    CU_ASSERT_EQUAL(a.verbose, 2);
    CU_ASSERT_EQUAL(a.mode, SENDMAIL_MODE_FLUSH);
    CU_ASSERT_STRING_EQUAL(a.flush_site, "example.org");
    sendmail_args_free(&a);
    vstring_free(why);
}

/* test_bounds - too many recipients, too long a value */
static void test_bounds(void)
{
    static char *argv[SENDMAIL_ARGS_RCPT_MAX + 2];
    static char longval[SENDMAIL_ARGS_ARG_MAX + 2];
    struct vstring *why = vstring_alloc(64);
    struct sendmail_args a;
    int i;

    argv[0] = "sendmail";
    for (i = 1; i <= SENDMAIL_ARGS_RCPT_MAX + 1; i++)
        argv[i] = "u";
    CU_ASSERT_EQUAL(
        sendmail_args_parse(&a, SENDMAIL_ARGS_RCPT_MAX + 1, argv, why), 0);
    CU_ASSERT_EQUAL(a.rcpt_count, SENDMAIL_ARGS_RCPT_MAX);
    sendmail_args_free(&a);
    CU_ASSERT_EQUAL(
        sendmail_args_parse(&a, SENDMAIL_ARGS_RCPT_MAX + 2, argv, why),
        EX_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "more than"));
    sendmail_args_free(&a);
    memset(longval, 'x', sizeof(longval) - 1);
    argv[1] = "-f";
    argv[2] = longval;
    argv[3] = "u";
    CU_ASSERT_EQUAL(sendmail_args_parse(&a, 4, argv, why), EX_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(vstring_str(why), "-f: value longer"));
    sendmail_args_free(&a);
    vstring_free(why);
}

static const struct testkit_case cases[] = {
    {"argument vectors of real callers and mistakes", test_callers},
    {"DSN, body type, error mode, flush site", test_dsn_values},
    {"recipient count and value length bounds", test_bounds},
    {0, 0},
};

TESTKIT_SUITE("sendmail_args", 0, 0, cases);
