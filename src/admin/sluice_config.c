/*
 * sluice_config.c - "sluice config [name...]": the effective configuration,
 * one "name = value  # origin" line per parameter, where origin is
 * "default", "main.cf:LINE", "-o" or "-c".
 */
#include <stdio.h>

#include "vstring.h"

#include "mail_conf.h"

#include "sluice.h"

/* print_one - one line */
static void print_one(const char *name, const char *value, void *ctx)
{
    struct vstring *origin = ctx;

    mail_conf_origin(name, origin);
    printf("%s = %s  # %s\n", name, value, vstring_str(origin));
}

/* sluice_config - print all, or the named parameters */
int sluice_config(int argc, char **argv)
{
    struct vstring *origin = vstring_alloc(32);
    const char *value;
    int i, status = 0;

    if (argc <= 1)
        mail_conf_walk(print_one, origin);
    for (i = 1; i < argc; i++) {
        if ((value = mail_conf_lookup(argv[i])) != 0) {
            print_one(argv[i], value, origin);
        } else {
            fprintf(stderr, "sluice: config: unknown parameter %s\n", argv[i]);
            status = 1;
        }
    }
    vstring_free(origin);
    return status;
}
