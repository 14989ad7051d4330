/*
 * dsn.h - writing a delivery status notification (RFC 3464, RFC 3462's
 * multipart/report) from what bounce knows about a message.
 *
 * bounce reads the per-message log and the original queue file, fills a
 * struct dsn_report and calls dsn_write(); the text it gets back (LF line
 * ends, the queue's convention) goes to cleanup as a new message from the
 * null sender. The parts are: a human-readable explanation, the
 * message/delivery-status part (one per-message block and one block per
 * recipient), and the original message (message/rfc822) or its headers only
 * (text/rfc822-headers) as RET and the size limit say.
 *
 * Everything that came from outside (remote replies, recipient addresses,
 * envelope ids) is sanitised before it lands in a header field: control
 * characters become spaces and a field is cut at DSN_FIELD_MAX bytes, so a
 * hostile remote reply cannot inject a header or a MIME boundary.
 */
#ifndef DSN_H
#define DSN_H

#include <stddef.h>

struct vstring;

#define DSN_FIELD_MAX 900 /* longest value written into one field */

enum dsn_kind { DSN_FAILED, DSN_DELAYED };
enum dsn_ret { DSN_RET_DEFAULT, DSN_RET_HDRS, DSN_RET_FULL };

struct dsn_rcpt {
    const char *final_rcpt; /* the address delivery was tried for */
    const char *orcpt;      /* "rfc822;addr" from ORCPT, or NULL */
    const char *action;     /* failed | delayed | delivered | relayed | expanded */
    const char *status;     /* "5.1.1" */
    const char *diagnostic; /* e.g. the remote reply, or NULL */
    const char *remote_mta; /* host name, or NULL */
};

struct dsn_report {
    enum dsn_kind kind;
    enum dsn_ret ret;
    const char *reporting_mta; /* our host name */
    const char *postmaster;    /* "MAILER-DAEMON@host" for the From: field */
    const char *to;            /* the original envelope sender */
    const char *queue_id;      /* of the original message */
    const char *envid;         /* RFC 3461 ENVID, or NULL */
    const char *arrival_date;  /* RFC 5322 date of the original's arrival */
    const char *date;          /* RFC 5322 date for the DSN itself */
    const char *message_id;    /* "<...>" for the DSN */
    const char *boundary;      /* unique MIME boundary chosen by the caller */
    const char *content;       /* the original message, LF line ends */
    size_t content_len;
    size_t full_limit;         /* beyond this size return only the headers */
    const struct dsn_rcpt *rcpts;
    size_t rcpt_count;
};

/*
 * Replaces out with the DSN (headers and body). Returns 0, or -1 when the
 * report is unusable (no recipients, a missing required field, or a
 * boundary that occurs in the original content).
 */
int dsn_write(struct vstring *out, const struct dsn_report *report);

/* Appends value to out with control characters blanked and a length cap. */
void dsn_append_sanitised(struct vstring *out, const char *value);

#endif
