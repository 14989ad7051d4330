/*
 * local_conf.c - local's view of the configuration, read once per process
 * (a reload of main.cf reaches local through master's restart of it).
 */
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "dict.h"
#include "msg.h"
#include "vstring.h"

#include "aliases.h"
#include "mail_conf.h"

#include "local.h"

/* local_origin_list - "alias, forward, include" as origin bits */
int local_origin_list(const char *text)
{
    struct argv *words = argv_split(text, ", \t");
    int bits = 0;
    size_t i;

    for (i = 0; i < words->argc; i++) {
        if (strcmp(words->argv[i], "alias") == 0)
            bits |= 1 << ALIAS_ORIGIN_ALIASES;
        else if (strcmp(words->argv[i], "forward") == 0)
            bits |= 1 << ALIAS_ORIGIN_FORWARD;
        else if (strcmp(words->argv[i], "include") == 0)
            bits |= 1 << ALIAS_ORIGIN_INCLUDE;
        else
            msg_warn("unknown origin \"%s\" in an allow_mail_to_* list",
                     words->argv[i]);
    }
    argv_free(words);
    return bits;
}

/* local_conf_load - every parameter local reads, and the aliases file */
void local_conf_load(struct local_conf *conf)
{
    struct vstring *why = vstring_alloc(100);
    const char *privs = mail_conf_str("default_privs");
    struct passwd *pw;

    memset(conf, 0, sizeof(*conf));
    conf->queue_dir = mail_conf_str("queue_directory");
    conf->myhostname = mail_conf_str("myhostname");
    conf->alias_maps = mail_conf_str("alias_maps");
    conf->home_mailbox = mail_conf_str("home_mailbox");
    conf->spool_dir = mail_conf_str("mail_spool_directory");
    conf->virtual_base = mail_conf_str("virtual_mailbox_base");
    conf->virtual_only = mail_conf_bool("local_delivery_virtual_only");
    conf->commands_from =
        local_origin_list(mail_conf_str("allow_mail_to_commands"));
    conf->files_from = local_origin_list(mail_conf_str("allow_mail_to_files"));
    conf->command_time_limit = mail_conf_time("local_command_time_limit");
    conf->ipc_timeout = mail_conf_time("ipc_timeout");
    conf->limits = aliases_default_limits;
    conf->limits.depth_max = (size_t)mail_conf_int("aliases_depth_max");
    conf->limits.targets_max = (size_t)mail_conf_int("aliases_target_max");
    conf->limits.include_size_max =
        (size_t)mail_conf_int("aliases_include_size_max");
    if ((pw = getpwnam(privs)) == 0)
        msg_fatal("default_privs: unknown account \"%s\"", privs);
    if (pw->pw_uid == 0)
        msg_fatal("default_privs: \"%s\" is root; refusing", privs);
    conf->default_uid = pw->pw_uid;
    conf->default_gid = pw->pw_gid;
    if (*conf->alias_maps && access(conf->alias_maps, F_OK) == 0 &&
        (conf->aliases = aliases_open(conf->alias_maps, why)) == 0)
        msg_warn("alias_maps: %s (aliases are retried per request)",
                 vstring_str(why));
    vstring_free(why);
}
