/*
 * qmgr_backoff.c - the arithmetic of retries: back-off, lifetime and the
 * delay warning (qmgr.h). No state: the message's age is the counter.
 */
#include "msg.h"

#include "qmgr.h"

/* qmgr_backoff - the wait before the next try: age clamped to [min, max] */
long qmgr_backoff(long now, long arrival, long min, long max)
{
    long age = now - arrival;

    if (min <= 0 || max < min)
        msg_panic("qmgr_backoff: bad range %ld..%ld", min, max);
    if (age < min) /* also a clock that went back */
        return min;
    return age > max ? max : age;
}

/* qmgr_expired - past maximal_queue_lifetime */
int qmgr_expired(long now, long arrival, long lifetime)
{
    return now - arrival >= lifetime;
}

/* qmgr_warn_due - time for the one delay warning */
int qmgr_warn_due(long now, long arrival, long warn_after, int warned)
{
    return warn_after > 0 && !warned && now - arrival >= warn_after;
}
