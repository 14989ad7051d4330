/*
 * smtp_main.c - the smtp and lmtp delivery agents (one program): qmgr
 * connects to private/smtp or private/lmtp with one delivery request, or
 * several to one destination, then EOF (deliver_request.h); the agent
 * delivers each in turn (smtp_agent.h, over its cached connection) and
 * reports per recipient as soon as each is done. LMTP is chosen by the
 * service name "lmtp" (master.cf) or the argument "lmtp" after the
 * options.
 */
#include <signal.h>
#include <string.h>

#include "deliver_request.h"
#include "dict.h"
#include "mail_conf.h"
#include "fi_point.h"
#include "msg.h"
#include "single_server.h"
#include "smtp_agent.h"
#include "smtp_tls.h"
#include "vstream.h"
#include "vstring.h"

static struct smtp_agent_config config;

/* smtp_init - the per-process configuration */
static void smtp_init(const char *service, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    const char *policy = mail_conf_str("smtp_tls_policy_maps");

    signal(SIGPIPE, SIG_IGN);
    config.lmtp = strcmp(service, "lmtp") == 0 ||
                  (argv && argv[0] && strcmp(argv[0], "lmtp") == 0);
    config.default_port = config.lmtp ? 24 : 25;
    config.queue_dir = mail_conf_str("queue_directory");
    config.helo_name = mail_conf_str("myhostname");
    config.connect_timeout = (int)mail_conf_time("smtp_connect_timeout");
    config.timeout = (int)mail_conf_time("smtp_timeout");
    config.reuse_time = (int)mail_conf_time("smtp_connection_reuse_time");
    config.tls_level = smtp_tls_level(mail_conf_str("smtp_tls_security_level"));
    if (config.tls_level < 0)
        msg_fatal("smtp_tls_security_level: not none, may, encrypt or verify");
    if (*policy &&
        (config.tls_policy = dict_open(policy, DICT_SYNTAX_SPACE,
                                       DICT_FLAG_FOLD_KEYS, 0, why)) == 0)
        msg_fatal("smtp_tls_policy_maps: %s", vstring_str(why));
    /* TLS off everywhere: no context (OpenSSL's set-up costs a process
     * about a millisecond and half a megabyte, at every start) */
    if (config.tls_level != SMTP_TLS_NONE || config.tls_policy) {
        config.tls =
            smtp_tls_client_create(mail_conf_str("smtp_tls_CAfile"), why);
        if (config.tls == 0)
            msg_warn("TLS unavailable: %s", vstring_str(why));
    }
    vstring_free(why);
}

/* smtp_exit - QUIT a cached connection before the process goes */
static void smtp_exit(const char *service)
{
    (void)service;
    smtp_agent_flush(&config, 0);
}

/* smtp_service - the delivery requests of one connection from qmgr (one,
 * or several to one destination): each delivered and answered in turn */
static void smtp_service(int fd, const char *service, char **argv)
{
    struct vstream *stream = vstream_fdopen(fd, VSTREAM_RW);
    struct vstring *why = vstring_alloc(100);
    struct deliver_request *reqs[DELIVER_REQUEST_BATCH_MAX];
    size_t n, i;

    (void)service;
    (void)argv;
    vstream_set_timeout(stream, (int)mail_conf_time("ipc_timeout"));
    if (config.tls_policy && dict_refresh(config.tls_policy, why) < 0)
        msg_warn("smtp_tls_policy_maps: %s", vstring_str(why));
    n = deliver_request_read_all(stream, reqs, DELIVER_REQUEST_BATCH_MAX, why);
    for (i = 0; i < n; i++) {
        smtp_agent_deliver(&config, reqs[i]);
        FI_POINT("smtp.before_reply");
        if (deliver_request_reply(stream, reqs[i]) < 0)
            msg_warn("%s: qmgr went away before the reply", reqs[i]->queue_id);
    }
    for (i = 0; i < n; i++)
        deliver_request_free(reqs[i]);
    vstring_free(why);
    vstream_close(stream);
}

int main(int argc, char **argv)
{
    static const struct server_hooks hooks = {0, smtp_init, smtp_exit};

    single_server_main(argc, argv, smtp_service, &hooks);
}
