/*
 * sendmail_args.h - the sendmail(8) compatible command line.
 *
 * cron, mail(1), PHP's mail(), mutt, git send-email and countless scripts
 * run "sendmail" with the options of the original Sendmail. This module
 * turns such an argument vector into a struct sendmail_args saying what to
 * do; sendmail_main.c then does it (submit through the setgid gate, list
 * the queue, speak SMTP on stdin/stdout, ask for a flush). Nothing here
 * touches a file or the environment: it is a pure function of argv.
 *
 * Modes (last one wins, as in Sendmail):
 *   -bm         read a message on stdin and send it (the default)
 *   -bp         list the queue (also when invoked as "mailq")
 *   -bs         SMTP on stdin/stdout (for inetd-style and local clients)
 *   -bi, -I     rebuild aliases (also when invoked as "newaliases"); with
 *               text tables this only checks the aliases file
 *   -bv         verify the recipients, send nothing
 *   -bd, -bD    daemon mode: sendmail_main tells the user to start the master
 *   -q          flush the queue; -qR<site> flush for one site;
 *               -qI<id> flush one message; -q<interval> is ignored (the
 *               master runs the queue), mode stays as it was
 *   other -b?   an error
 * Message options:
 *   -t          take recipients from To/Cc/Bcc (Resent-* when present); the
 *               argument recipients are added to them (Postfix's behaviour;
 *               Sendmail 8 would instead exclude them)
 *   -i, -oi     a line with a single "." does not end the message
 *   -f addr, -r addr   envelope sender; "<>" or "" is the null sender;
 *               "<a@b>" is stored as "a@b"
 *   -F name     full name for a From: header that cleanup adds
 *   -B type     body type: 7BIT or 8BITMIME (case-insensitive)
 *   -N list     DSN notify: "never" or a comma list of success, failure,
 *               delay (RFC 3461)
 *   -R ret      DSN return: full or hdrs
 *   -V envid    DSN envelope id: 1..100 printable ASCII characters without
 *               blanks (xtext encoding is applied on the wire, not here)
 *   -v          more verbose (may repeat)
 * Accepted and ignored (each is something real callers pass):
 *   -oem -oee -oep -oeq -oew (error mode: stored in error_mode, the message
 *   is queued either way), -om, -odb -odi -odq -odd (delivery mode), -o7,
 *   -o8, -oL<n>, -oA<path> (an aliases file; ignored, configuration names
 *   it), -U, -G, -n, -m, -h <hops>, -L <label>, -A <c|m>, -O <name=value>.
 * Refused (EX_USAGE with a reason): every other option and -o letter,
 *   -C <config> and -oQ<dir> (another configuration or queue: use the admin
 *   CLI), -X <log> (Sendmail's traffic log, a classic root exploit), -bt,
 *   -bh, -bH.
 *
 * Option syntax is getopt's: flags may be grouped ("-ti"), an option value
 * may be attached ("-fbob") or the next argument ("-f bob"); "-o" takes its
 * letter attached or as the next argument ("-o i"). Parsing stops at "--"
 * or at the first argument that does not start with '-' (POSIX order: an
 * argument after a recipient is a recipient); "-" alone is an error. The
 * -o letters that take a value (A, L) take it attached ("-oL9") or as the
 * next argument ("-o L 9", "-oL 9").
 *
 * Errors: sendmail_args_parse() returns 0 or EX_USAGE (sysexits.h) with a
 * one-line reason in why ("unknown option -k", "-N: bad notify value
 * \"sometimes\""). A mode that needs recipients (-bm, -bv) without -t and
 * without recipients is EX_USAGE too ("no recipients given").
 *
 * Bounds: SENDMAIL_ARGS_RCPT_MAX recipients on the command line, and every
 * argument (address, name, id) at most SENDMAIL_ARGS_ARG_MAX bytes.
 */
#ifndef SENDMAIL_ARGS_H
#define SENDMAIL_ARGS_H

#include <stddef.h>

struct vstring;

#define SENDMAIL_ARGS_RCPT_MAX 10000 /* sendmail_rcpt_max */
#define SENDMAIL_ARGS_ARG_MAX 4096   /* sendmail_arg_max, bytes */

enum sendmail_mode {
    SENDMAIL_MODE_DELIVER,
    SENDMAIL_MODE_LIST_QUEUE,
    SENDMAIL_MODE_SMTP,
    SENDMAIL_MODE_NEWALIASES,
    SENDMAIL_MODE_VERIFY,
    SENDMAIL_MODE_DAEMON,
    SENDMAIL_MODE_FLUSH
};

enum sendmail_body {
    SENDMAIL_BODY_DEFAULT,
    SENDMAIL_BODY_7BIT,
    SENDMAIL_BODY_8BITMIME
};
enum sendmail_ret {
    SENDMAIL_RET_DEFAULT,
    SENDMAIL_RET_FULL,
    SENDMAIL_RET_HDRS
};

#define SENDMAIL_NOTIFY_NEVER (1 << 0)
#define SENDMAIL_NOTIFY_SUCCESS (1 << 1)
#define SENDMAIL_NOTIFY_FAILURE (1 << 2)
#define SENDMAIL_NOTIFY_DELAY (1 << 3)

struct sendmail_args {
    enum sendmail_mode mode;
    int extract_recipients;  /* -t */
    int ignore_dots;         /* -i, -oi */
    int verbose;             /* count of -v */
    const char *sender;      /* -f/-r, NULL when not given, "" null */
    const char *fullname;    /* -F, or NULL */
    enum sendmail_body body; /* -B */
    int notify;              /* -N: SENDMAIL_NOTIFY_* bits, 0 unset */
    enum sendmail_ret ret;   /* -R */
    const char *envid;       /* -V, or NULL */
    char error_mode;         /* -oeX letter, 0 unset */
    const char *flush_site;  /* -qR<site>, or NULL */
    const char *flush_id;    /* -qI<id>, or NULL */
    char **recipients;       /* pointers into argv (or the sender
                                buffer); owned array, see _free */
    size_t rcpt_count;
    char *sender_buf; /* the sender without "<>", when stripped */
};

/*
 * Parses argv[0 .. argc-1] (argv[0] is the program name; its base name
 * "mailq" or "newaliases" selects the mode). Returns 0 or EX_USAGE with a
 * reason in why. The strings in *args point into argv, which must outlive
 * args; release with sendmail_args_free() in both cases.
 */
int sendmail_args_parse(struct sendmail_args *args, int argc, char **argv,
                        struct vstring *why);

void sendmail_args_free(struct sendmail_args *args);

#endif
