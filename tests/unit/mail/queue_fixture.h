/*
 * queue_fixture.h - a fresh queue tree in a temporary directory for the
 * queue-file suites (test_queue_file, test_queue_file_corrupt,
 * test_queue_spare): setup creates it and every queue in it, teardown
 * removes it. Suites run one after another, so one pair of globals serves.
 */
#ifndef QUEUE_FIXTURE_H
#define QUEUE_FIXTURE_H

struct vstring;

extern char *root;          /* the queue root of the running suite */
extern struct vstring *why; /* a reason buffer for the calls under test */

int queue_fixture_setup(void);
int queue_fixture_teardown(void);

#endif
