/*
 * dsn.c - builds the text of a delivery status notification (see dsn.h).
 */
#include <string.h>

#include "dsn.h"
#include "vstring.h"

/* dsn_append_sanitised - append an outside value safely into a field */
void dsn_append_sanitised(struct vstring *out, const char *value)
{
    size_t i;

    for (i = 0; value[i] && i < DSN_FIELD_MAX; i++) {
        unsigned char c = (unsigned char)value[i];

        vstring_append_char(out, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
    }
}

/* append_field - "Name: value\n" with the value sanitised */
static void append_field(struct vstring *out, const char *name,
                         const char *prefix, const char *value)
{
    vstring_append_str(out, name);
    vstring_append_str(out, ": ");
    vstring_append_str(out, prefix);
    dsn_append_sanitised(out, value);
    vstring_append_char(out, '\n');
}

/* headers_length - length of the header section of a message */
static size_t headers_length(const char *content, size_t len)
{
    const char *end;

    if (len > 0 && content[0] == '\n')
        return 0;
    end = memmem(content, len, "\n\n", 2);
    return end ? (size_t)(end - content) + 1 : len;
}

/* write_top_headers - the DSN's own header section */
static void write_top_headers(struct vstring *out, const struct dsn_report *r)
{
    append_field(out, "From", "Mail Delivery System <", r->postmaster);
    vstring_truncate(out, vstring_len(out) - 1);
    vstring_append_str(out, ">\n");
    append_field(out, "To", "", r->to);
    append_field(out, "Subject", "",
                 r->kind == DSN_FAILED ? "Undelivered Mail Returned to Sender"
                                       : "Delayed Mail (still being retried)");
    append_field(out, "Date", "", r->date);
    append_field(out, "Message-ID", "", r->message_id);
    append_field(out, "Auto-Submitted", "", "auto-replied");
    append_field(out, "MIME-Version", "", "1.0");
    vstring_sprintf_append(out,
                           "Content-Type: multipart/report; "
                           "report-type=delivery-status;\n\tboundary=\"%s\"\n\n"
                           "This is a MIME-encapsulated message.\n\n",
                           r->boundary);
}

/* write_human_part - the explanation a person reads */
static void write_human_part(struct vstring *out, const struct dsn_report *r)
{
    size_t i;

    vstring_sprintf_append(out,
                           "--%s\nContent-Description: Notification\n"
                           "Content-Type: text/plain; charset=us-ascii\n\n",
                           r->boundary);
    vstring_append_str(out, "This is the mail system at host ");
    dsn_append_sanitised(out, r->reporting_mta);
    if (r->kind == DSN_FAILED)
        vstring_append_str(out, ".\n\nI'm sorry to have to inform you that "
                                "your message could not\nbe delivered to one "
                                "or more recipients.\n\n");
    else
        vstring_append_str(out, ".\n\nYour message could not be delivered yet "
                                "to one or more recipients.\nThe mail system "
                                "will keep trying; you do not need to resend "
                                "it.\n\n");
    for (i = 0; i < r->rcpt_count; i++) {
        vstring_append_str(out, "<");
        dsn_append_sanitised(out, r->rcpts[i].final_rcpt);
        vstring_append_str(out, ">: ");
        dsn_append_sanitised(out, r->rcpts[i].diagnostic
                                      ? r->rcpts[i].diagnostic
                                      : r->rcpts[i].status);
        vstring_append_str(out, "\n");
    }
    vstring_append_str(out, "\n");
}

/* write_rcpt_block - one per-recipient block of message/delivery-status */
static void write_rcpt_block(struct vstring *out, const struct dsn_rcpt *rc)
{
    vstring_append_char(out, '\n');
    if (rc->orcpt)
        append_field(out, "Original-Recipient", "", rc->orcpt);
    append_field(out, "Final-Recipient", "rfc822; ", rc->final_rcpt);
    append_field(out, "Action", "", rc->action);
    append_field(out, "Status", "", rc->status);
    if (rc->remote_mta)
        append_field(out, "Remote-MTA", "dns; ", rc->remote_mta);
    if (rc->diagnostic)
        append_field(out, "Diagnostic-Code", "smtp; ", rc->diagnostic);
}

/* write_status_part - the machine-readable message/delivery-status part */
static void write_status_part(struct vstring *out, const struct dsn_report *r)
{
    size_t i;

    vstring_sprintf_append(out,
                           "--%s\nContent-Description: Delivery report\n"
                           "Content-Type: message/delivery-status\n\n",
                           r->boundary);
    append_field(out, "Reporting-MTA", "dns; ", r->reporting_mta);
    append_field(out, "X-Sluice-Queue-ID", "", r->queue_id);
    if (r->envid)
        append_field(out, "Original-Envelope-Id", "", r->envid);
    append_field(out, "Arrival-Date", "", r->arrival_date);
    for (i = 0; i < r->rcpt_count; i++)
        write_rcpt_block(out, &r->rcpts[i]);
    vstring_append_char(out, '\n');
}

/* write_original_part - the returned message or its headers */
static void write_original_part(struct vstring *out, const struct dsn_report *r)
{
    int full = r->ret != DSN_RET_HDRS && r->content_len <= r->full_limit;
    size_t len = full ? r->content_len
                      : headers_length(r->content, r->content_len);

    vstring_sprintf_append(out, "--%s\nContent-Description: %s\n"
                                "Content-Type: %s\n\n",
                           r->boundary,
                           full ? "Undelivered Message"
                                : "Undelivered Message Headers",
                           full ? "message/rfc822" : "text/rfc822-headers");
    vstring_append(out, r->content, len);
    if (len > 0 && r->content[len - 1] != '\n')
        vstring_append_char(out, '\n');
    vstring_sprintf_append(out, "\n--%s--\n", r->boundary);
}

/* report_usable - the fields dsn_write cannot do without */
static int report_usable(const struct dsn_report *r)
{
    size_t blen;

    if (r->rcpt_count == 0 || !r->reporting_mta || !r->postmaster || !r->to
        || !r->queue_id || !r->arrival_date || !r->date || !r->message_id
        || !r->boundary || (r->content_len > 0 && !r->content))
        return 0;
    blen = strlen(r->boundary);
    if (blen == 0 || blen > 70)
        return 0;
    return r->content_len == 0
        || memmem(r->content, r->content_len, r->boundary, blen) == 0;
}

/* dsn_write - the whole notification */
int dsn_write(struct vstring *out, const struct dsn_report *report)
{
    if (!report_usable(report))
        return -1;
    vstring_reset(out);
    write_top_headers(out, report);
    write_human_part(out, report);
    write_status_part(out, report);
    write_original_part(out, report);
    return 0;
}
