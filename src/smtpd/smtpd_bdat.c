/*
 * smtpd_bdat.c - BDAT arguments and chunk checking (smtpd_bdat.h).
 */
#include <string.h>
#include <strings.h>

#include "smtpd_bdat.h"

/* smtpd_bdat_parse - "chunk-size [LAST]" */
int smtpd_bdat_parse(const char *args, size_t len, unsigned long long *size,
                     int *last)
{
    size_t i = 0;
    unsigned long long v = 0;

    *size = 0;
    *last = 0;
    while (i < len && args[i] >= '0' && args[i] <= '9') {
        if (i >= SMTPD_BDAT_DIGITS)
            return -1;
        v = v * 10 + (unsigned)(args[i] - '0');
        i++;
    }
    if (i == 0 || (i < len && args[i] != ' '))
        return -1;
    while (i < len && args[i] == ' ')
        i++;
    if (i < len) {
        if (len - i != 4 || strncasecmp(args + i, "LAST", 4) != 0)
            return -1;
        *last = 1;
    }
    *size = v;
    return 0;
}

/* smtpd_bdat_init - before the first chunk of a message */
void smtpd_bdat_init(struct smtpd_bdat *b, unsigned long long limit)
{
    b->cr = 0;
    b->bol = 1;
    b->errors = 0;
    b->size = 0;
    b->limit = limit;
}

/* smtpd_bdat_scan - check one piece of chunk content */
void smtpd_bdat_scan(struct smtpd_bdat *b, const char *buf, size_t len)
{
    size_t i;

    b->size += len;
    if (b->limit != 0 && b->size > b->limit)
        b->errors |= SMTPD_BDAT_TOO_BIG;
    for (i = 0; i < len; i++) {
        char c = buf[i];

        if (c == 0)
            b->errors |= SMTPD_BDAT_NUL;
        if (b->cr && c != '\n')
            b->errors |= SMTPD_BDAT_BARE_CR;
        if (!b->cr && c == '\n')
            b->errors |= SMTPD_BDAT_BARE_LF;
        b->bol = (b->cr && c == '\n');
        b->cr = (c == '\r');
    }
}

/* smtpd_bdat_finish - close the content after BDAT ... LAST */
unsigned smtpd_bdat_finish(struct smtpd_bdat *b, int *need_crlf)
{
    if (b->cr)
        b->errors |= SMTPD_BDAT_BARE_CR;
    *need_crlf = !b->bol && b->errors == 0;
    return b->errors;
}
