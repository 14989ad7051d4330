/*
 * local_recipient.c - where one local recipient's copy goes (the decision
 * described in local.h): loop check, aliases, .forward, mailbox, and the
 * targets they name. The outcome of a recipient is the worst outcome of
 * its targets: any deferral defers it (the whole recipient is tried again),
 * else any permanent failure fails it, else it was delivered ("delivered"
 * for one mailbox, "relayed" for one forwarded address, "expanded" for a
 * list).
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#include "aliases.h"

#include "local.h"

#define FORWARD_DEPTH_MAX 5 /* .forward naming a user with a .forward ... */

struct rcpt_ctx {
    const struct local_conf *conf;
    struct local_msg *msg;
    const char *rcpt;
    const char *domain;
    struct alias_list remote; /* addresses to forward through cleanup */
    int worst;                /* 2, 5 or 4 */
    size_t finals;            /* final targets tried, forwarded ones included */
    struct vstring *reason;   /* the reason that goes with worst */
};

/* record - log one target's outcome and fold it into the recipient's (a
 * pending Maildir delivery counts as delivered; its commit logs it) */
static void record(struct rcpt_ctx *c, int cls, const struct vstring *why)
{
    const char *text = vstring_str(why);

    if (cls == LOCAL_PENDING)
        cls = 2;
    else
        msg_info("%s: to=<%s>, relay=local, status=%s (%s)",
                 c->msg->queue_id, c->rcpt,
                 cls == 2 ? "sent" : cls == 4 ? "deferred" : "bounced",
                 strlen(text) > 6 ? text + 6 : text);
    c->finals++;
    if (cls == 4 ? c->worst != 4 : cls == 5 ? c->worst == 2 : c->worst == 2)
        vstring_set_str(c->reason, text);
    if (cls == 4 || (cls == 5 && c->worst == 2))
        c->worst = cls;
}

/* name_ok - a mailbox name safe to use as a path component */
static int name_ok(const char *name)
{
    const char *p;

    if (*name == 0 || *name == '.' || strlen(name) > 64)
        return 0;
    for (p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr("._+-=", *p) == 0)
            return 0;
    return 1;
}

static void deliver_targets(struct rcpt_ctx *c, const struct alias_list *list,
                            const char *self, int depth);
static void mailbox(struct rcpt_ctx *c, const char *user, int literal,
                    int depth);

/* try_forward - the user's ~/.forward; 0 when there is none */
static int try_forward(struct rcpt_ctx *c, const struct passwd *pw, int depth)
{
    static struct dict *no_aliases;
    struct vstring *path = vstring_alloc(256), *why = vstring_alloc(100);
    struct alias_list in, out;
    struct stat st;
    int ret = 0;

    alias_list_init(&in);
    alias_list_init(&out);
    vstring_sprintf(path, "%s/.forward", pw->pw_dir);
    /* ENOENT is the answer whoever asks (a mailbox owner's ids may still
     * be in effect); anything else is looked at again as root */
    if (lstat(vstring_str(path), &st) < 0 && errno == ENOENT)
        goto done;
    local_privs_root();
    if (lstat(vstring_str(path), &st) < 0 && errno == ENOENT)
        goto done;
    ret = 1;
    if (no_aliases == 0)
        no_aliases = dict_create(DICT_SYNTAX_COLON, DICT_FLAG_FOLD_KEYS, 0);
    if (aliases_read_file(vstring_str(path), ALIAS_ORIGIN_FORWARD, 0,
                          pw->pw_uid, &c->conf->limits, &in, why) < 0 ||
        aliases_expand_list(c->conf->aliases ? c->conf->aliases : no_aliases,
                            &in, &c->conf->limits, &out, why) < 0) {
        if (!isdigit((unsigned char)vstring_str(why)[0])) {
            vstring_set_str(path, vstring_str(why));
            vstring_sprintf(why, "4.3.0 %s", vstring_str(path));
        }
        record(c, local_status_class(why), why);
        goto done;
    }
    deliver_targets(c, &out, pw->pw_name, depth + 1);
done:
    alias_list_free(&in);
    alias_list_free(&out);
    vstring_free(path);
    vstring_free(why);
    return ret;
}

/* home_mailbox - Maildir or mbox in the home, or the spool mbox */
static int home_mailbox(struct rcpt_ctx *c, const struct passwd *pw,
                        struct vstring *why)
{
    const char *hm = c->conf->home_mailbox;
    struct vstring *path = vstring_alloc(256);
    size_t len = strlen(hm);
    int cls, sw = local_privs_can_switch();

    if (len == 0) {
        local_privs_root();
        vstring_sprintf(path, "%s/%s", c->conf->spool_dir, pw->pw_name);
        cls = local_mbox_deliver(c->msg, vstring_str(path), c->rcpt,
                                 sw ? pw->pw_uid : (uid_t)-1, pw->pw_gid, why);
    } else if (local_privs_enter(pw->pw_uid, pw->pw_gid, why) < 0) {
        cls = 4;
    } else {
        vstring_sprintf(path, "%s/%.*s", pw->pw_dir,
                        (int)(hm[len - 1] == '/' ? len - 1 : len), hm);
        cls = hm[len - 1] == '/'
                  ? local_maildir_deliver(c->msg, vstring_str(path), c->rcpt,
                                          why)
                  : local_mbox_deliver(c->msg, vstring_str(path), c->rcpt,
                                       sw ? pw->pw_uid : (uid_t)-1,
                                       pw->pw_gid, why);
        local_privs_leave();
    }
    vstring_free(path);
    return cls;
}

/* mailbox - a local name's own mailbox (after its .forward, if any) */
static void mailbox(struct rcpt_ctx *c, const char *user, int literal,
                    int depth)
{
    struct vstring *why = vstring_alloc(100), *path = vstring_alloc(256);
    const struct passwd *pw = 0;
    int cls;

    if (!name_ok(user)) {
        vstring_sprintf(why, "5.1.1 unknown user \"%s\"", user);
        cls = 5;
    } else if (!c->conf->virtual_only && (pw = local_passwd_lookup(user)) != 0) {
        if (!literal && depth <= FORWARD_DEPTH_MAX && try_forward(c, pw, depth))
            goto out;
        cls = home_mailbox(c, pw, why);
    } else if (*c->conf->virtual_base) {
        local_privs_root();
        vstring_sprintf(path, "%s/%s/Maildir", c->conf->virtual_base, user);
        cls = local_maildir_deliver(c->msg, vstring_str(path), c->rcpt, why);
    } else {
        vstring_sprintf(why, "5.1.1 unknown user \"%s\"", user);
        cls = 5;
    }
    record(c, cls, why);
out:
    vstring_free(why);
    vstring_free(path);
}

/* trust_instance_owner - not root: the instance owner's files are admin */
static void trust_instance_owner(struct alias_list *list)
{
    struct alias_source *s;
    size_t i;

    if (local_privs_can_switch())
        return;
    for (i = 0; i < list->count; i++) {
        s = &list->items[i].source;
        if (s->authority == ALIAS_AUTH_NONE && s->owner_known &&
            s->owner == geteuid() && (s->mode & 022) == 0 &&
            s->origin != ALIAS_ORIGIN_FORWARD) {
            s->authority = ALIAS_AUTH_ADMIN;
            s->distrust = 0;
        }
    }
}

/* run_as_env - the account a command or file runs as */
static void run_as_env(uid_t uid, gid_t *gid, struct local_cmd_env *env,
                       struct vstring *home, struct vstring *user)
{
    struct passwd *pw = getpwuid(uid);

    *gid = pw ? pw->pw_gid : (gid_t)uid;
    vstring_set_str(home, pw ? pw->pw_dir : "/");
    vstring_set_str(user, pw ? pw->pw_name : "nobody");
    env->home = vstring_str(home);
    env->user = vstring_str(user);
    env->shell = "/bin/sh";
}

/* command_or_file - a |command or /file target, after the permission check */
static void command_or_file(struct rcpt_ctx *c, const struct alias_target *t,
                            const char *local)
{
    const struct local_conf *conf = c->conf;
    struct alias_policy policy;
    struct vstring *why = vstring_alloc(100), *home = vstring_alloc(64),
                   *user = vstring_alloc(32), *path = vstring_alloc(256);
    struct local_cmd_env env;
    size_t len = strlen(t->text);
    uid_t uid;
    gid_t gid;
    int cls;

    policy.allow_commands = (conf->commands_from >> t->source.origin) & 1;
    policy.allow_files = (conf->files_from >> t->source.origin) & 1;
    policy.default_uid = conf->default_uid;
    if (aliases_check_delivery(t, &policy, &uid, why) < 0) {
        record(c, local_status_class(why), why);
        goto out;
    }
    env.recipient = c->rcpt;
    env.local = local;
    env.domain = c->domain;
    run_as_env(uid, &gid, &env, home, user);
    if (t->kind == ALIAS_TARGET_COMMAND) {
        if (!local_privs_can_switch())
            msg_info("%s: not running as root: command for <%s> runs as "
                     "uid %ld, not %ld", c->msg->queue_id, c->rcpt,
                     (long)geteuid(), (long)uid);
        cls = local_command_run(c->msg, t->text, &env, uid, gid,
                                conf->command_time_limit, why);
    } else if (local_privs_enter(uid, gid, why) < 0) {
        cls = 4;
    } else {
        vstring_set(path, t->text, t->text[len - 1] == '/' ? len - 1 : len);
        cls = t->text[len - 1] == '/'
                  ? local_maildir_deliver(c->msg, vstring_str(path), c->rcpt,
                                          why)
                  : local_mbox_deliver(c->msg, vstring_str(path), c->rcpt,
                                       (uid_t)-1, gid, why);
        local_privs_leave();
    }
    if (cls == 2 && t->kind == ALIAS_TARGET_COMMAND)
        vstring_sprintf_append(why, " \"%s\"", t->text);
    record(c, cls, why);
out:
    vstring_free(why);
    vstring_free(home);
    vstring_free(user);
    vstring_free(path);
}

/* deliver_targets - every final target of an expansion */
static void deliver_targets(struct rcpt_ctx *c, const struct alias_list *list,
                            const char *self, int depth)
{
    const struct alias_target *t;
    char *name, *p;
    size_t i;

    for (i = 0; i < list->count; i++) {
        t = &list->items[i];
        if (t->kind == ALIAS_TARGET_COMMAND || t->kind == ALIAS_TARGET_FILE) {
            command_or_file(c, t, self ? self : c->rcpt);
        } else if (t->kind != ALIAS_TARGET_ADDRESS) {
            msg_warn("%s: unexpanded target \"%s\" skipped", c->msg->queue_id,
                     t->text);
        } else if (strchr(t->text, '@')) {
            alias_list_append(&c->remote, t);
        } else {
            name = mystrdup(t->text);
            for (p = name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            mailbox(c, name, t->literal || (self && strcmp(name, self) == 0),
                    depth);
            myfree(name);
        }
    }
}

/* forward_remote - one resubmission for every address collected */
static void forward_remote(struct rcpt_ctx *c, const char *notify,
                           const char *orcpt)
{
    struct vstring *why = vstring_alloc(100);
    int cls = local_forward(c->conf, c->msg, c->rcpt, notify, orcpt, &c->remote,
                            why);

    c->finals += c->remote.count - 1;
    record(c, cls, why);
    vstring_free(why);
}

/* alias_hit - is user an alias? Then root, which reads its :include:
 * files (a mailbox owner's ids may still be in effect: local_privs.c) */
static int alias_hit(const struct local_conf *conf, const char *user)
{
    if (conf->aliases == 0 || dict_lookup(conf->aliases, user) == 0)
        return 0;
    local_privs_root();
    return 1;
}

/* local_deliver_rcpt - deliver one recipient; its class, action, reason */
int local_deliver_rcpt(const struct local_conf *conf, struct local_msg *msg,
                       const char *rcpt, const char *notify,
                       const char *orcpt, struct vstring *action,
                       struct vstring *why)
{
    struct rcpt_ctx c;
    struct alias_list targets;
    const char *at = strrchr(rcpt, '@');
    char *user = mystrdup(rcpt), *p;
    struct vstring *tmp = vstring_alloc(100);
    int r;

    memset(&c, 0, sizeof(c));
    c.conf = conf;
    c.msg = msg;
    c.rcpt = rcpt;
    c.domain = at ? at + 1 : conf->myhostname;
    c.worst = 2;
    c.reason = why;
    vstring_sprintf(why, "4.3.0 no delivery attempted");
    alias_list_init(&c.remote);
    alias_list_init(&targets);
    if (at)
        user[at - rcpt] = 0;
    for (p = user; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if ((r = local_has_delivered_to(msg, rcpt, tmp)) != 0) {
        if (r > 0)
            vstring_sprintf(tmp, "5.4.6 mail forwarding loop for %s", rcpt);
        record(&c, r > 0 ? 5 : 4, tmp);
    } else if (alias_hit(conf, user) &&
               (r = aliases_expand(conf->aliases, user, &conf->limits,
                                   &targets, tmp)) != 0) {
        if (r < 0)
            record(&c, local_status_class(tmp), tmp);
        else
            trust_instance_owner(&targets), deliver_targets(&c, &targets, 0, 0);
    } else {
        mailbox(&c, user, 0, 0);
    }
    if (c.remote.count > 0)
        forward_remote(&c, notify, orcpt);
    vstring_set_str(action, c.worst == 4   ? "deferred"
                            : c.worst == 5 ? "failed"
                            : c.finals > 1 ? "expanded"
                            : c.remote.count ? "relayed"
                                             : "delivered");
    alias_list_free(&c.remote);
    alias_list_free(&targets);
    myfree(user);
    vstring_free(tmp);
    return c.worst;
}
