/*
 * sluice_cmds.c - the table of "sluice" subcommands (sluice.h).
 */
#include <stddef.h>

#include "sluice.h"
#include "sluice_queue.h"

const struct sluice_cmd sluice_cmds[] = {
    {"start", sluice_start, "[-f]   start master (-f: in the foreground)"},
    {"stop", sluice_stop, "        stop master and every daemon"},
    {"reload", sluice_reload, "      re-read main.cf and master.cf"},
    {"status", sluice_status, "      is master running; its services"},
    {"config", sluice_config, "[name...]  the effective configuration"},
    {"list", sluice_list, "[--json]  the messages in the queue (mailq)"},
    {"show", sluice_show, "ID       envelope and content of a message"},
    {"flush", sluice_flush, "        try every deferred message now"},
    {"delete", sluice_delete, "ID...|ALL  remove messages and their logs"},
    {"hold", sluice_hold, "ID...|ALL  keep messages aside (hold/)"},
    {"release", sluice_release, "ID...|ALL  hold/ back to incoming/"},
    {"requeue", sluice_requeue, "ID...|ALL  deferred/ back to incoming/"},
    {"check", sluice_check, "[--repair]  find (and fix) queue leftovers"},
    {NULL, NULL, NULL},
};
