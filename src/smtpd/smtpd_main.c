/*
 * smtpd_main.c - the SMTP server daemon: master runs one process per
 * session (single_server), reused up to max_use sessions. The protocol is
 * smtpd_session_run(); accepted mail goes to cleanup through
 * smtpd_cleanup.h. The configuration (limits, our domains, mynetworks, the
 * TLS context) is built once per process, after the privilege drop.
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "mail_conf.h"
#include "msg.h"
#include "single_server.h"
#include "smtpd_cleanup.h"
#include "smtpd_netlist.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"
#include "vstream.h"
#include "vstring.h"

static struct smtpd_config config;
static struct smtpd_netlist mynetworks;
static struct argv *mydestination;

/* smtpd_init - the per-process configuration */
static void smtpd_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    const char *cert = mail_conf_str("smtpd_tls_cert_file");

    (void)service;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    smtpd_config_defaults(&config);
    config.myhostname = mail_conf_str("myhostname");
    mydestination = argv_split(mail_conf_str("mydestination"), ", \t");
    config.mydestination = (const char *const *)mydestination->argv;
    smtpd_netlist_init(&mynetworks);
    if (smtpd_netlist_parse(&mynetworks, mail_conf_str("mynetworks"), why) < 0)
        msg_fatal("mynetworks: %s", vstring_str(why));
    config.mynetworks = &mynetworks;
    config.message_size_limit =
        (unsigned long long)mail_conf_int("message_size_limit");
    config.rcpt_limit = (unsigned)mail_conf_int("smtpd_recipient_limit");
    config.error_limit = (unsigned)mail_conf_int("smtpd_hard_error_limit");
    config.timeout = (int)mail_conf_time("smtpd_timeout");
    config.vrfy_enable = mail_conf_bool("smtpd_enable_vrfy");
    if (*cert) {
        config.tls = smtpd_tls_server_create(
            cert, mail_conf_str("smtpd_tls_key_file"), why);
        if (config.tls == 0)
            msg_warn("STARTTLS disabled: %s", vstring_str(why));
    }
    vstring_free(why);
}

/* peer_addr - the client's numeric address, "unknown" for a unix socket */
static void peer_addr(int fd, char *addr, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

    snprintf(addr, size, "unknown");
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0 &&
        (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
        getnameinfo((struct sockaddr *)&ss, len, addr, (socklen_t)size, 0, 0,
                    NI_NUMERICHOST);
}

/* smtpd_service - one SMTP session on fd */
static void smtpd_service(int fd, const char *service, char **argv)
{
    static const char *const how[] = {"quit", "lost connection", "timeout",
                                      "too many errors", "I/O error"};
    struct smtpd_client client;
    struct smtpd_backend backend;
    struct smtpd_cleanup *sc;
    struct vstream *stream = vstream_fdopen(fd, VSTREAM_RW);
    char addr[64];
    int r;

    (void)service;
    (void)argv;
    peer_addr(fd, addr, sizeof(addr));
    client.addr = addr;
    client.name = "unknown";
    msg_info("connect from %s[%s]", client.name, client.addr);
    sc = smtpd_cleanup_create(mail_conf_str("queue_directory"),
                              (int)mail_conf_time("ipc_timeout"), &backend);
    r = smtpd_session_run(stream, &config, &client, &backend);
    msg_info("disconnect from %s[%s] (%s)", client.name, client.addr,
             r >= 0 && r <= 4 ? how[r] : "?");
    smtpd_cleanup_free(sc);
    vstream_close(stream);
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {0, smtpd_init, 0};

    single_server_main(argc, argv, smtpd_service, &hooks);
}
