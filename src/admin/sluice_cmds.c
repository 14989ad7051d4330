/*
 * sluice_cmds.c - the table of "sluice" subcommands (sluice.h).
 */
#include <stddef.h>

#include "sluice.h"

const struct sluice_cmd sluice_cmds[] = {
    {"start", sluice_start, "[-f]   start master (-f: in the foreground)"},
    {"stop", sluice_stop, "        stop master and every daemon"},
    {"reload", sluice_reload, "      re-read main.cf and master.cf"},
    {"status", sluice_status, "      is master running; its services"},
    {"config", sluice_config, "[name...]  the effective configuration"},
    {NULL, NULL, NULL},
};
