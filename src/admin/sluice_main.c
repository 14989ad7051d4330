/*
 * sluice_main.c - the admin command's entry: options, configuration, and
 * dispatch through the table of subcommands (sluice.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "vstring.h"

#include "mail_conf.h"

#include "sluice.h"

const char *sluice_config_dir;

/* usage - the subcommands, from the table */
static int usage(void)
{
    const struct sluice_cmd *c;

    fprintf(stderr, "usage: sluice [-c config_dir] [-o name=value] [-v] "
                    "command [args]\ncommands:\n");
    for (c = sluice_cmds; c->name; c++)
        fprintf(stderr, "  %s %s\n", c->name, c->usage);
    return 2;
}

int main(int argc, char **argv)
{
    struct vstring *why = vstring_alloc(100);
    const struct sluice_cmd *c;
    const char *dir = 0;
    char *real;
    int ch;

    msg_init("sluice", MSG_TO_STDERR);
    while ((ch = getopt(argc, argv, "+c:o:v")) != -1) {
        switch (ch) {
        case 'c': dir = optarg; break;
        case 'v': msg_verbose++; break;
        case 'o':
            if (mail_conf_override(optarg, why) != 0)
                msg_fatal("%s", vstring_str(why));
            break;
        default: return usage();
        }
    }
    if (optind >= argc)
        return usage();
    for (c = sluice_cmds; c->name && strcmp(c->name, argv[optind]); c++)
        ;
    if (c->name == 0)
        return usage();
    dir = mail_conf_find_dir(dir);
    sluice_config_dir = (real = realpath(dir, 0)) ? real : dir;
    if (mail_conf_read(sluice_config_dir, why) < 0)
        msg_fatal("%s", vstring_str(why));
    vstring_free(why);
    optind++;
    return c->fn(argc - optind + 1, argv + optind - 1);
}
