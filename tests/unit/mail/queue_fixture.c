/*
 * queue_fixture.c - the temporary queue tree the queue-file suites share
 * (queue_fixture.h).
 */
#include <stdlib.h>

#include "queue.h"
#include "queue_fixture.h"
#include "testkit.h"
#include "vstring.h"

char *root;
struct vstring *why;

/* queue_fixture_setup - a new root with every queue directory */
int queue_fixture_setup(void)
{
    root = testkit_tempdir();
    why = vstring_alloc(100);
    return queue_dirs_create(root, (uid_t)-1, (gid_t)-1, why);
}

/* queue_fixture_teardown - remove the tree */
int queue_fixture_teardown(void)
{
    testkit_rmtree(root);
    free(root);
    vstring_free(why);
    return 0;
}
