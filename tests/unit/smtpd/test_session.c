/*
 * test_session.c - smtpd sessions as scripts: what a client sends (all of it
 * pipelined), the replies it must get, how the session ends, and what the
 * submission backend saw. One table row per rule of the protocol core.
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_script.h"
#include "testkit.h"

#define UNTRUSTED "192.0.2.7"
#define TRUSTED   "127.0.0.1"
#define HELLO     "EHLO client.example.com\r\n"
#define ENV       HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@example.org>\r\n"
#define OK3       "220", "250", "250 2.1.0", "250 2.1.5"

struct session_case {
    const char *name;
    const char *client;
    const char *input;
    const char *expect[SCRIPT_MAX_REPLIES];
    int how;          /* SMTPD_SESSION_* */
    int commits;      /* messages committed */
    const char *body; /* content after Received:, or NULL */
};

static const struct session_case cases_basic[] = {
    {"one message, then QUIT", UNTRUSTED,
     ENV "DATA\r\nSubject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n",
     {OK3, "354", "250 2.0.0 Ok: queued as Q1", "221 2.0.0"},
     SMTPD_SESSION_QUIT, 1, "Subject: hi\r\n\r\nhello\r\n"},
    {"dot-stuffing removed", UNTRUSTED,
     ENV "DATA\r\n..leading dot\r\n.\r\n",
     {OK3, "354", "250 2.0.0"}, SMTPD_SESSION_EOF, 1, ".leading dot\r\n"},
    {"two messages pipelined with RSET and NOOP", UNTRUSTED,
     ENV "DATA\r\none\r\n.\r\nNOOP\r\nMAIL FROM:<>\r\nRSET\r\n"
         "MAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n",
     {OK3, "354", "250 2.0.0", "250 2.0.0", "250 2.1.0", "250 2.0.0",
      "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "221"},
     SMTPD_SESSION_QUIT, 2, "two\r\n"},
    {"MAIL before EHLO", UNTRUSTED, "MAIL FROM:<a@example.com>\r\n",
     {"220", "503 5.5.1"}, SMTPD_SESSION_EOF, 0, 0},
    {"RCPT and DATA out of order", UNTRUSTED,
     HELLO "RCPT TO:<u@example.org>\r\nDATA\r\n",
     {"220", "250", "503 5.5.1", "503 5.5.1"}, SMTPD_SESSION_EOF, 0, 0},
    {"RSET drops the transaction", UNTRUSTED,
     ENV "RSET\r\nRCPT TO:<u@example.org>\r\nRSET x\r\n",
     {OK3, "250 2.0.0", "503 5.5.1", "501 5.5.4"}, SMTPD_SESSION_EOF, 0, 0},
    {"unknown and empty commands", UNTRUSTED, "XYZZY\r\n\r\nNOOP hello\r\n",
     {"220", "500 5.5.1", "500 5.5.1", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"VRFY disabled by default: 252", UNTRUSTED,
     "VRFY root\r\nEXPN staff\r\nHELP\r\n",
     {"220", "252 2.5.2", "502 5.5.1", "214 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"STARTTLS without TLS configured", UNTRUSTED, HELLO "STARTTLS\r\n",
     {"220", "250", "502 5.5.1"}, SMTPD_SESSION_EOF, 0, 0},
    {"HELO forbids ESMTP parameters", UNTRUSTED,
     "HELO client\r\nMAIL FROM:<a@example.com> SIZE=10\r\n"
     "MAIL FROM:<a@example.com>\r\n",
     {"220", "250", "555 5.5.4", "250 2.1.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"EHLO without a name", UNTRUSTED, "EHLO\r\nHELO a b\r\n",
     {"220", "501 5.5.4", "501 5.5.4"}, SMTPD_SESSION_EOF, 0, 0},
    {0, 0, 0, {0}, 0, 0, 0},
};

static const struct session_case cases_strict[] = {
    {"over-long line: 500 5.5.2 and the session goes on", UNTRUSTED,
     "NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "\r\nNOOP\r\n",
     {"220", "500 5.5.2", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"path without <> refused", UNTRUSTED,
     HELLO "MAIL FROM:a@example.com\r\nMAIL FROM:<a@example.com>\r\n"
           "RCPT TO:u@example.org\r\nRCPT TO: <u@example.org>\r\n",
     {"220", "250", "501 5.1.7", "250 2.1.0", "501 5.1.3", "250 2.1.5"},
     SMTPD_SESSION_EOF, 0, 0},
    {"bare LF ending a command", UNTRUSTED, "NOOP\nNOOP\r\n",
     {"220", "500 5.5.2", "250"}, SMTPD_SESSION_EOF, 0, 0},
    {"bare CR inside a command", UNTRUSTED, "NOOP\rRSET\r\nNOOP\r\n",
     {"220", "500 5.5.2", "250"}, SMTPD_SESSION_EOF, 0, 0},
    {"SIZE over the limit refused at MAIL", UNTRUSTED,
     HELLO "MAIL FROM:<a@example.com> SIZE=10001\r\n"
           "MAIL FROM:<a@example.com> SIZE=10000\r\n",
     {"220", "250", "552 5.3.4", "250 2.1.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"recipient limit per message", UNTRUSTED,
     ENV "RCPT TO:<v@example.org>\r\nRCPT TO:<w@example.org>\r\n"
         "RCPT TO:<x@example.org>\r\n",
     {OK3, "250 2.1.5", "250 2.1.5", "452 4.5.3"}, SMTPD_SESSION_EOF, 0, 0},
    {"hard-error limit closes the session", UNTRUSTED,
     "BAD1\r\nBAD2\r\nBAD3\r\nBAD4\r\nBAD5\r\nNOOP\r\n",
     {"220", "500", "500", "500", "500", "500", "421 4.7.0"},
     SMTPD_SESSION_ERRORS, 0, 0},
    {"UTF-8 address needs SMTPUTF8", UNTRUSTED,
     HELLO "MAIL FROM:<j\xc3\xb6rg@example.com>\r\n"
           "MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8\r\n"
           "RCPT TO:<m\xc3\xbc@example.org>\r\n",
     {"220", "250", "553 5.6.7", "250 2.1.0", "250 2.1.5"},
     SMTPD_SESSION_EOF, 0, 0},
    {0, 0, 0, {0}, 0, 0, 0},
};

/* DATA content that must be refused and never committed. */
static const struct session_case cases_data[] = {
    {"bare LF in DATA refused", UNTRUSTED,
     ENV "DATA\r\nline one\nline two\r\n.\r\nRSET\r\n",
     {OK3, "354", "550 5.5.2", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"bare CR in DATA refused", UNTRUSTED,
     ENV "DATA\r\nline one\rline two\r\n.\r\nRSET\r\n",
     {OK3, "354", "550 5.5.2", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"NUL in DATA refused", UNTRUSTED, ENV "DATA\r\nab\0cd\r\n.\r\nRSET\r\n",
     {OK3, "354", "550 5.6.0", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"smuggling: <LF>.<LF> does not end DATA", UNTRUSTED,
     ENV "DATA\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n"
         "RCPT TO:<v@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n",
     {OK3, "354", "550 5.5.2", "221"}, SMTPD_SESSION_QUIT, 0, 0},
    {"smuggling: <LF>.<CR><LF> does not end DATA", UNTRUSTED,
     ENV "DATA\r\nhello\n.\r\nMAIL FROM:<evil@example.com>\r\n"
         "RCPT TO:<v@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n",
     {OK3, "354", "550 5.5.2", "221"}, SMTPD_SESSION_QUIT, 0, 0},
    {"smuggling: <CR><LF>.<LF> does not end DATA", UNTRUSTED,
     ENV "DATA\r\nhello\r\n.\nMAIL FROM:<evil@example.com>\r\n"
         "RCPT TO:<v@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n",
     {OK3, "354", "550 5.5.2", "221"}, SMTPD_SESSION_QUIT, 0, 0},
    {"smuggling: <CR>.<CR> does not end DATA", UNTRUSTED,
     ENV "DATA\r\nhello\r.\rMAIL FROM:<evil@example.com>\r\n"
         "RCPT TO:<v@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n",
     {OK3, "354", "550 5.5.2", "221"}, SMTPD_SESSION_QUIT, 0, 0},
    {"client gone during DATA: nothing committed", UNTRUSTED,
     ENV "DATA\r\nhalf a message\r\n",
     {OK3, "354"}, SMTPD_SESSION_EOF, 0, 0},
    {0, 0, 0, {0}, 0, 0, 0},
};

/* Relay control: untrusted clients get 554 5.7.1 for anything not ours. */
static const struct session_case cases_relay[] = {
    {"foreign domain from untrusted client", UNTRUSTED,
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@other.test>\r\n",
     {"220", "250", "250", "554 5.7.1"}, SMTPD_SESSION_EOF, 0, 0},
    {"tricks from untrusted client", UNTRUSTED,
     HELLO "MAIL FROM:<a@example.com>\r\n"
           "RCPT TO:<user%other.test@example.org>\r\n"
           "RCPT TO:<@example.org:user@other.test>\r\n"
           "RCPT TO:<@other.test:user@example.org>\r\n"
           "RCPT TO:<\"user@other.test\"@example.org>\r\n",
     {"220", "250", "250", "554 5.7.1", "554 5.7.1", "554 5.7.1",
      "554 5.7.1"},
     SMTPD_SESSION_EOF, 0, 0},
    {"bang path and literals from untrusted client", UNTRUSTED,
     HELLO "MAIL FROM:<a@example.com>\r\n"
           "RCPT TO:<other.test!user@example.org>\r\n"
           "RCPT TO:<user@[192.0.2.1]>\r\n"
           "RCPT TO:<user@example.org.>\r\n"
           "RCPT TO:<user@example.org@other.test>\r\n",
     {"220", "250", "250", "554 5.7.1", "554 5.7.1", "501 5.1.3",
      "501 5.1.3"},
     SMTPD_SESSION_EOF, 0, 0},
    {"our domains in any case, and postmaster", UNTRUSTED,
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<U@EXAMPLE.ORG>\r\n"
           "RCPT TO:<v@Example.Net>\r\nRCPT TO:<Postmaster>\r\n",
     {"220", "250", "250", "250 2.1.5", "250 2.1.5", "250 2.1.5"},
     SMTPD_SESSION_EOF, 0, 0},
    {"foreign domain from mynetworks", TRUSTED,
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@other.test>\r\n"
           "RCPT TO:<user%x@other.test>\r\n",
     {"220", "250", "250", "250 2.1.5", "250 2.1.5"}, SMTPD_SESSION_EOF, 0,
     0},
    {"foreign domain from mynetworks over IPv6", "::1",
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@other.test>\r\n",
     {"220", "250", "250", "250 2.1.5"}, SMTPD_SESSION_EOF, 0, 0},
    {"IPv4-mapped client in mynetworks", "::ffff:127.0.0.9",
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@other.test>\r\n",
     {"220", "250", "250", "250 2.1.5"}, SMTPD_SESSION_EOF, 0, 0},
    {"IPv6 client outside mynetworks", "2001:db8::1",
     HELLO "MAIL FROM:<a@example.com>\r\nRCPT TO:<u@other.test>\r\n",
     {"220", "250", "250", "554 5.7.1"}, SMTPD_SESSION_EOF, 0, 0},
    {0, 0, 0, {0}, 0, 0, 0},
};

/* BDAT (RFC 3030). */
static const struct session_case cases_bdat[] = {
    {"BDAT chunks with LAST", UNTRUSTED,
     ENV "BDAT 7\r\nHello\r\nBDAT 9 LAST\r\nWorld\r\n\r\nQUIT\r\n",
     {OK3, "250 2.0.0 Ok: 7 octets", "250 2.0.0 Ok: queued as Q1", "221"},
     SMTPD_SESSION_QUIT, 1, "Hello\r\nWorld\r\n\r\n"},
    {"BDAT 0 LAST ends the message, CR LF added", UNTRUSTED,
     ENV "BDAT 3\r\nabcBDAT 0 LAST\r\n",
     {OK3, "250 2.0.0", "250 2.0.0 Ok: queued"}, SMTPD_SESSION_EOF, 1,
     "abc\r\n"},
    {"BDAT without recipients: chunk consumed, 503", UNTRUSTED,
     HELLO "BDAT 6 LAST\r\nNOOP\r\nNOOP\r\n",
     {"220", "250", "503 5.5.1", "250 2.0.0"}, SMTPD_SESSION_EOF, 0, 0},
    {"DATA after BDAT refused", UNTRUSTED, ENV "BDAT 4\r\nab\r\nDATA\r\n",
     {OK3, "250 2.0.0", "503 5.5.1"}, SMTPD_SESSION_EOF, 0, 0},
    {"bare LF in BDAT content refused", UNTRUSTED,
     ENV "BDAT 5 LAST\r\na\nb\r\n",
     {OK3, "550 5.5.2"}, SMTPD_SESSION_EOF, 0, 0},
    {"CR LF split across chunks is fine", UNTRUSTED,
     ENV "BDAT 2\r\na\rBDAT 1 LAST\r\n\n",
     {OK3, "250 2.0.0", "250 2.0.0 Ok: queued"}, SMTPD_SESSION_EOF, 1,
     "a\r\n"},
    {"BDAT syntax error ends the session", UNTRUSTED, ENV "BDAT x\r\nNOOP\r\n",
     {OK3, "501 5.5.4"}, SMTPD_SESSION_ERRORS, 0, 0},
    {0, 0, 0, {0}, 0, 0, 0},
};

/* run_cases - run a table with the default configuration */
static void run_cases(const struct session_case *t)
{
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct script_result res;
    size_t len;

    script_config(&cfg);
    for (; t->name != 0; t++) {
        fake_backend_init(&fb, &be);
        len = strlen(t->input);
        if (strstr(t->name, "NUL") != 0)
            len += strlen(t->input + len + 1) + 1; /* one NUL inside */
        script_run(&cfg, t->client, t->input, len, 0, &be, &res);
        if (!script_expect(&res, t->expect) || res.how != t->how ||
            fb.commits != t->commits)
            fprintf(stderr, "case failed: %s (how %d, commits %d)\n",
                    t->name, res.how, fb.commits);
        CU_ASSERT(script_expect(&res, t->expect));
        CU_ASSERT_EQUAL(res.how, t->how);
        CU_ASSERT_EQUAL(fb.commits, t->commits);
        CU_ASSERT_EQUAL(fb.begins, fb.commits + fb.aborts);
        if (t->body != 0)
            CU_ASSERT_STRING_EQUAL(fake_backend_body(&fb), t->body);
    }
}

static void test_basic(void)
{
    run_cases(cases_basic);
}

static void test_strict(void)
{
    run_cases(cases_strict);
}

static void test_data(void)
{
    run_cases(cases_data);
}

static void test_relay(void)
{
    run_cases(cases_relay);
}

static void test_bdat(void)
{
    run_cases(cases_bdat);
}

static const struct testkit_case cases[] = {
    {"basic sessions and sequencing", test_basic},
    {"strict command handling and limits", test_strict},
    {"DATA: smuggling, bare CR/LF, NUL", test_data},
    {"relay control", test_relay},
    {"BDAT", test_bdat},
    {NULL, NULL},
};

TESTKIT_SUITE("smtpd_session", NULL, NULL, cases)
