/*
 * qmgr_spare_retry.c - hand-offs by name that qmgr could not claim at once
 * (qmgr.h). A cleanup that samples spare/ for a file to reuse locks each
 * file it looks at for a moment, and a sealed one (a message committed in
 * place, named to qmgr) too; on a busy machine the taker may be
 * preempted with the lock held for longer than qmgr_take_spare waits.
 * Such a name used to wait for the next queue run, queue_run_delay later
 * (an hour in the benchmark, where one message in tens of thousands
 * then missed its run: PAPER.md, section 6, item 40). Here it is tried again on a timer,
 * 20 ms after the failure, then at doubling intervals up to 5 s while
 * some name still cannot be claimed. The list is bounded: a name that does
 * not fit is found by recovering spare/ whole at the next tick, which
 * moves on every sealed file it can lock (queue_spare_recover).
 */
#include <string.h>

#include "event_server.h"
#include "msg.h"

#include "queue.h"

#include "qmgr.h"

#define RETRY_FIRST_MS 20
#define RETRY_LAST_MS 5000

static char names[QMGR_SPARE_RETRY_MAX][QUEUE_ID_LEN + 1];
static int count;
static int overflow;           /* a name did not fit: recover spare/ */
static int armed;              /* the timer is set */
static long interval_ms;       /* the next wait */

static void retry_tick(void *ctx);

/* arm - set the timer unless it is set */
static void arm(void)
{
    if (armed)
        return;
    if (interval_ms < RETRY_FIRST_MS)
        interval_ms = RETRY_FIRST_MS;
    event_server_timer_ms(interval_ms, retry_tick, 0);
    armed = 1;
}

/* qmgr_spare_retry_add - keep a name for the timer (once) */
void qmgr_spare_retry_add(const char *name)
{
    int i;

    for (i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return;
    if (count < QMGR_SPARE_RETRY_MAX && strlen(name) == QUEUE_ID_LEN)
        memcpy(names[count++], name, QUEUE_ID_LEN + 1);
    else
        overflow = 1;
    arm();
}

/* retry_tick - try every kept name once; keep what still fails, and wait
 * twice as long before the next try while anything does */
static void retry_tick(void *ctx)
{
    char held[QMGR_SPARE_RETRY_MAX][QUEUE_ID_LEN + 1];
    int n = count, i, claimed = 0;

    (void)ctx;
    armed = 0;
    memcpy(held, names, sizeof(held[0]) * (size_t)n);
    count = 0;
    for (i = 0; i < n; i++) {
        if (qmgr_retake_spare(held[i]))
            claimed++;
        else
            memcpy(names[count++], held[i], QUEUE_ID_LEN + 1);
    }
    if (claimed)
        msg_info("spare: %d message(s) claimed on a retry", claimed);
    if (overflow) {
        overflow = 0;
        qmgr_sweep_incoming(); /* queue_spare_recover, as a queue run */
    }
    if (count > 0) {
        interval_ms = interval_ms * 2 > RETRY_LAST_MS ? RETRY_LAST_MS
                                                      : interval_ms * 2;
        arm();
    } else {
        interval_ms = RETRY_FIRST_MS;
    }
    qmgr_kick();
}
