/*
 * pickup_file.h - moving the files of queue/maildrop into the queue
 * proper, one at a time, through cleanup.
 *
 * pickup_scan() first sweeps maildrop/ for ".part" files whose gate died
 * (queue_file_sweep), then takes every complete file:
 *   - queue_file_read() opens it without following links, requires a
 *     regular file with one link, and checks every record; a file that
 *     fails goes to corrupt/ (the reader moves it and logs why). A file
 *     whose owner is not the uid the gate recorded in it goes there too;
 *   - its envelope and content go to cleanup (cleanup_client.h), with the
 *     gate's attributes (uid, sendmail -F/-N/-R/-V, -t as cleanup_flags);
 *   - ONLY after cleanup's OK is the maildrop file removed and the
 *     directory fsynced (the gate/pickup -> cleanup commit point of
 *     DESIGN.md section 3). A crash between the two is the documented
 *     duplicate window: the file is sent again on the next scan;
 *   - cleanup says 4.x.x (or does not answer): the file stays for the next
 *     scan, and the scan stops (cleanup is not taking mail right now);
 *   - cleanup says 5.x.x (the message can never be accepted: too big, no
 *     recipients, ...): a local submission must not vanish silently, and
 *     pickup cannot write a bounce itself, so the file is moved to hold/
 *     with a log line naming the reason; an administrator sees it there
 *     ("sluice" queue tools) and may delete or fix it.
 *
 * Fault-injection points: pickup.after_read, pickup.after_cleanup_ok,
 * pickup.after_unlink, pickup.after_dir_fsync, pickup.after_hold.
 */
#ifndef PICKUP_FILE_H
#define PICKUP_FILE_H

#define PICKUP_SENT 0     /* queued by cleanup; maildrop file removed */
#define PICKUP_SKIPPED 1  /* gone, corrupt (moved), or refused (hold/) */
#define PICKUP_DEFERRED 2 /* cleanup said "later": file left in place */

/* Moves one maildrop file (id) through cleanup. */
int pickup_file(const char *root, const char *id, int timeout);

/* Sweeps and moves every file; returns how many were queued. */
int pickup_scan(const char *root, int timeout);

#endif
