/*
 * mail_params.c - the table of every configuration parameter (see
 * mail_params.h). Rows are grouped by the part of the pipeline that reads
 * them; helpers adding a daemon add their rows in a group of its own.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail_params.h"

/* compute_hostname - the system's host name, fully qualified when known */
static const char *compute_hostname(void)
{
    static char name[256];

    if (name[0] == 0) {
        if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == 0)
            snprintf(name, sizeof(name), "localhost");
        name[sizeof(name) - 1] = 0;
        if (strchr(name, '.') == 0)
            snprintf(name + strlen(name), sizeof(name) - strlen(name),
                     ".localdomain");
    }
    return name;
}

/* compute_domain - myhostname's default without its first label */
static const char *compute_domain(void)
{
    const char *host = compute_hostname();
    const char *dot = strchr(host, '.');

    return dot && dot[1] ? dot + 1 : "localdomain";
}

const struct mail_param mail_param_table[] = {
    /* Where things are. */
    {"config_directory", "/etc/sluice",
     "where main.cf and master.cf are (set by -c or SLUICE_CONFIG_DIR)", 0},
    {"queue_directory", "/var/spool/sluice",
     "the root of the queue: every daemon works inside it", 0},
    {"daemon_directory", "/usr/local/libexec/sluice",
     "where master finds the programs that master.cf names", 0},
    {"maillog_file", "", "log file for every program; empty means syslog", 0},

    /* Who runs. */
    {"mail_owner", "",
     "account the unprivileged daemons run as; empty = the user running master",
     0},
    {"setgid_group", "",
     "group of the setgid gate that writes queue/maildrop; empty = mail_owner's",
     0},

    /* Names and addresses. */
    {"myhostname", "(the system's host name)",
     "this host's fully qualified name", compute_hostname},
    {"mydomain", "(myhostname without its first label)",
     "this host's domain", compute_domain},
    {"myorigin", "$myhostname",
     "domain appended to local sender addresses", 0},
    {"mydestination", "$myhostname, localhost.$mydomain, localhost",
     "domains delivered on this machine", 0},
    {"inet_interfaces", "all",
     "addresses inet services listen on when master.cf names only a port "
     "(all, loopback-only or an address)", 0},
    {"smtpd_listen", "0.0.0.0:25",
     "address:port of the SMTP service (used as $smtpd_listen in master.cf)",
     0},
    {"mynetworks", "127.0.0.0/8 [::1]/128",
     "clients trusted to relay through this host", 0},

    /* master and the server skeletons. */
    {"max_use", "1000",
     "requests a daemon serves before it exits and is replaced", 0},
    {"max_idle", "100s", "seconds a daemon waits for a request before it exits",
     0},
    {"default_process_limit", "100",
     "process limit of a master.cf service whose limit column is -", 0},
    {"service_throttle_time", "60s",
     "how long master stops starting a service whose process died at start",
     0},
    {"master_stop_timeout", "10s",
     "how long master waits for its children after SIGTERM", 0},

    /* Resource limits. */
    {"message_size_limit", "10240000",
     "largest message accepted, in bytes (0 = no limit)", 0},
    {"queue_minfree", "0",
     "free bytes the queue file system must keep; below, mail is refused "
     "with 452", 0},

    /* Lookup tables, aliases and message limits (dict, aliases, cleanup). */
    {"dict_line_max", "4096", "longest line of a lookup table file", 0},
    {"dict_key_max", "256", "longest key of a lookup table", 0},
    {"dict_value_max", "4000", "longest value of a lookup table", 0},
    {"dict_entry_max", "100000", "most entries in one lookup table", 0},
    {"dict_file_max", "16777216", "largest lookup table file, in bytes", 0},
    {"aliases_depth_max", "20", "deepest nesting of aliases and :include:", 0},
    {"aliases_target_max", "1000", "most final targets of one expansion", 0},
    {"aliases_include_size_max", "1048576",
     "largest :include: or .forward file, in bytes", 0},
    {"line_length_limit", "2048",
     "longest line of a message, in bytes (5.6.0 beyond)", 0},
    {"header_size_limit", "102400",
     "longest header field, folded lines included (5.6.0 beyond)", 0},
    {"header_count_limit", "1000", "most header fields in a message", 0},
    {"recipient_limit", "10000",
     "most recipients of one message (sendmail -t, cleanup)", 0},
    {"sendmail_rcpt_max", "10000", "most recipients on sendmail's command line",
     0},
    {"sendmail_arg_max", "4096", "longest sendmail command-line argument", 0},

    /* Inter-process communication (every daemon). */
    {"ipc_timeout", "300s",
     "deadline for each read or write between two daemons", 0},

    /* cleanup. */
    {"canonical_maps", "",
     "table file rewriting sender and header addresses (empty = none)", 0},
    {"virtual_alias_maps", "",
     "table file rewriting recipients to other addresses (empty = none)", 0},

    /* pickup and the setgid gate. */

    /* qmgr. */
    {"queue_run_delay", "300s", "how often qmgr scans deferred/", 0},
    {"minimal_backoff_time", "300s",
     "least time before a deferred message is tried again", 0},
    {"maximal_backoff_time", "4000s",
     "most time before a deferred message is tried again", 0},
    {"maximal_queue_lifetime", "5d",
     "age after which a deferred message is bounced", 0},
    {"delay_warning_time", "4h",
     "age at which the sender is told a message is delayed (0 = never)", 0},
    {"default_destination_concurrency_limit", "20",
     "parallel deliveries to one destination", 0},
    {"qmgr_message_active_limit", "10000",
     "most messages qmgr keeps in memory (active/)", 0},
    {"queue_spare_limit", "2000",
     "finished queue files kept in spare/ for reuse (0: unlink them)", 0},
    {"queue_spare_reserve", "2000",
     "zeroed files qmgr puts into spare/ at start "
     "(at most queue_spare_limit)", 0},
    {"local_destination_concurrency_limit", "2",
     "parallel deliveries by the local and virtual transports (to one "
     "recipient while local_destination_recipient_limit is 1)", 0},
    {"local_destination_recipient_limit", "1",
     "most recipients in one local delivery request (1: the concurrency "
     "limit applies per recipient)", 0},
    {"local_delivery_batch_limit", "16",
     "most messages in one request to the local transport: the files it "
     "writes into Maildirs share their device flushes (1: one at a time)",
     0},
    {"default_delivery_batch_limit", "8",
     "most messages in one request to the other transports (smtp, lmtp), "
     "taken only when every connection to the destination is busy", 0},
    {"default_destination_recipient_limit", "50",
     "most recipients in one delivery request", 0},
    {"qmgr_request_timeout", "1000s",
     "deadline for a delivery agent's reply to one request", 0},
    {"qmgr_delivery_limit", "40",
     "most delivery and bounce requests in flight at once (all transports)",
     0},

    /* resolve. */
    {"relayhost", "",
     "host[:port] that receives all non-local mail (empty = MX lookup)", 0},
    {"relay_domains", "", "domains this host relays for from anywhere", 0},
    {"transport_maps", "",
     "table file: domain -> transport:nexthop (e.g. smtp:[127.0.0.1]:2526)", 0},
    {"virtual_mailbox_domains", "",
     "domains whose users have virtual mailboxes only", 0},
    {"local_transport", "local", "transport for our own domains", 0},
    {"virtual_transport", "virtual",
     "transport for virtual_mailbox_domains (a local agent named virtual)", 0},
    {"default_transport", "smtp", "transport for everything else", 0},

    /* local. */
    {"alias_maps", "$config_directory/aliases", "aliases(5) file (empty = none)",
     0},
    {"home_mailbox", "Maildir/",
     "mailbox in a user's home: ending in / means Maildir, else mbox", 0},
    {"mail_spool_directory", "/var/mail",
     "mbox spool for users when home_mailbox is empty", 0},
    {"virtual_mailbox_base", "",
     "root of virtual Maildirs: <base>/<user>/Maildir (empty = none)", 0},
    {"allow_mail_to_commands", "alias, forward, include",
     "where |command targets are allowed", 0},
    {"allow_mail_to_files", "alias, forward, include",
     "where /file targets are allowed", 0},
    {"default_privs", "nobody",
     "account that runs commands and file deliveries from the aliases file",
     0},
    {"local_delivery_virtual_only", "no",
     "deliver every local name to virtual_mailbox_base/<name>/Maildir, "
     "accounts or not (an instance run by an ordinary user)", 0},
    {"local_command_time_limit", "1000s",
     "longest run of a |command delivery before it is killed and deferred",
     0},

    /* bounce. */
    {"bounce_size_limit", "50000",
     "largest original returned whole in a DSN; beyond, headers only", 0},
    {"bounce_notice_recipient", "postmaster",
     "who gets a copy of undeliverable bounces", 0},

    /* smtpd. */
    {"smtpd_banner", "$myhostname ESMTP Sluice", "text of the 220 greeting", 0},
    {"smtpd_timeout", "300s", "deadline for each read from an SMTP client", 0},
    {"smtpd_recipient_limit", "1000", "most recipients per message", 0},
    {"smtpd_hard_error_limit", "20", "5xx replies before the session ends", 0},
    {"smtpd_enable_vrfy", "no", "answer VRFY (else 252 without lookup)", 0},
    {"smtpd_tls_cert_file", "", "PEM certificate for STARTTLS (empty = off)",
     0},
    {"smtpd_tls_key_file", "$smtpd_tls_cert_file", "PEM key for STARTTLS", 0},

    /* smtp and lmtp clients. */
    {"smtp_connect_timeout", "30s", "deadline for connecting to a server", 0},
    {"smtp_timeout", "300s", "deadline for each reply from a server", 0},
    {"smtp_tls_security_level", "may",
     "none, may (opportunistic) or encrypt (mandatory)", 0},
    {"smtp_tls_policy_maps", "",
     "table file: destination -> none | may | encrypt | verify", 0},
    {"smtp_tls_CAfile", "", "CA certificates for verify", 0},
    {"smtp_connection_reuse_time", "5s",
     "how long an idle connection is kept for the next request to the same "
     "nexthop (0 = never)", 0},

    {0, 0, 0, 0},
};

/* mail_param_find - the table row for a name */
const struct mail_param *mail_param_find(const char *name)
{
    const struct mail_param *p;

    for (p = mail_param_table; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return 0;
}

/* mail_param_default - a row's default text */
const char *mail_param_default(const struct mail_param *param)
{
    return param->compute ? param->compute() : param->defval;
}
