/*
 * smtp_script.h - a scripted SMTP server for the client's tests. A script
 * is a NULL-terminated list of steps: "S:text" sends text + CR LF, "C:prefix"
 * reads one line that must start with prefix, "D" reads content up to the
 * lone dot, "d:N" reads N content lines and hangs up, "X" hangs up. Every
 * line read goes into the transcript out ("data:" before content lines,
 * "MISMATCH wanted ..." when a line differs). Runs in a forked child.
 */
#ifndef SMTP_SCRIPT_H
#define SMTP_SCRIPT_H

#include <stdio.h>

void script_server(int fd, const char *const *script, FILE *out)
    __attribute__((noreturn));

#endif
