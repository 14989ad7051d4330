/*
 * smtp_script.c - the scripted SMTP server the smtp suites share
 * (smtp_script.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp_script.h"

/* server - run the script on fd, transcript to out; never returns */
void script_server(int fd, const char *const *script, FILE *out)
{
    FILE *in = fdopen(fd, "r");
    char line[4096];
    int n;

    for (; *script; script++) {
        const char *st = *script;

        if (st[0] == 'S') {
            dprintf(fd, "%s\r\n", st + 2);
        } else if (st[0] == 'C') {
            if (!fgets(line, sizeof(line), in)) {
                fprintf(out, "EOF before %s\n", st + 2);
                break;
            }
            fputs(line, out);
            if (strncmp(line, st + 2, strlen(st + 2)) != 0) {
                fprintf(out, "MISMATCH wanted %s\n", st + 2);
                break;
            }
        } else if (st[0] == 'D' || st[0] == 'd') {
            n = st[0] == 'd' ? atoi(st + 2) : -1;
            while (n != 0 && fgets(line, sizeof(line), in)) {
                fprintf(out, "data:%s", line);
                if (strcmp(line, ".\r\n") == 0)
                    break;
                n--;
            }
            if (n == 0)
                break;
        } else if (st[0] == 'X') {
            break;
        }
    }
    fflush(out);
    _exit(0);
}

