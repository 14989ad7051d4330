/*
 * queue_fixture.h - a fresh queue tree in a temporary directory for the
 * queue-file suites (test_queue_file, test_queue_file_corrupt,
 * test_queue_spare, test_queue_seal): setup creates it and every queue in
 * it, teardown removes it; small helpers over it. Suites run one after another,
 * so one pair of globals serves.
 */
#ifndef QUEUE_FIXTURE_H
#define QUEUE_FIXTURE_H

#include <stddef.h>

struct vstring;

extern char *root;          /* the queue root of the running suite */
extern struct vstring *why; /* a reason buffer for the calls under test */

int queue_fixture_setup(void);
int queue_fixture_teardown(void);

/* <root>/<queue>/<name>, in one of two static buffers (two may be live). */
const char *queue_fixture_path(const char *queue, const char *name);
/* Files in a queue directory; every file of it removed. */
int queue_fixture_count(const char *queue);
void queue_fixture_empty(const char *queue);

/*
 * Commits a one-recipient message (a@example.org to b@example.org) whose
 * body is body_len bytes into incoming/; its id (static). *recycled: it
 * went into a spare file.
 */
const char *queue_fixture_commit(size_t body_len, int *recycled);
/* The same, committed by queue_file_commit_keep: its result in *rc, the
 * spare name it stayed under in name. */
const char *queue_fixture_commit_keep(size_t body_len, struct vstring *name,
                                      int *rc);

/* Asserts that queue/id reads back as queue_fixture_commit wrote it. */
void queue_fixture_read_ok(const char *queue, const char *id);

/*
 * For the suites that take spare files (test_queue_spare, test_queue_seal):
 * spare/ counts as synced until an hour from now (queue_spare_synced), so
 * the files a test puts there may be taken; setup does that after the
 * tree, teardown also drops the taker's sample.
 */
void queue_fixture_spare_synced(void);
int queue_fixture_spare_setup(void);
int queue_fixture_spare_teardown(void);

#endif
