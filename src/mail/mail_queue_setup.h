/*
 * mail_queue_setup.h - making sure the queue directories exist, with the
 * owners the configuration names, before a daemon that works in them
 * starts (cleanup and pickup call it while still privileged).
 *
 * Owner: mail_owner's uid (empty: leave as created); maildrop's group:
 * setgid_group, else mail_owner's group (empty both: leave as created).
 * An unknown user or group is a configuration error: -1 with the reason.
 * Directories that exist are checked and their modes repaired
 * (queue_dirs_create in queue.h).
 */
#ifndef MAIL_QUEUE_SETUP_H
#define MAIL_QUEUE_SETUP_H

struct vstring;

int mail_queue_setup(struct vstring *why);

#endif
