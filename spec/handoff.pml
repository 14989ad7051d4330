/*
 * handoff.pml - a Promela model of Sluice's hand-off protocol with crashes.
 *
 * The model follows one message through the commit points of DESIGN.md §3
 * (and PAPER.md §2.2): a client submits through smtpd to cleanup, cleanup
 * writes an incomplete queue file, fsyncs, renames it complete (COMMIT 1),
 * and only then answers; smtpd then sends 250. qmgr takes a complete file,
 * hands the recipient to local; local writes tmp/, links into new/
 * (DELIVERED) and reports; qmgr marks the recipient done (COMMIT 2) and
 * removes the file (renames it into spare/, or breaks the seal of one it
 * delivered where it lay: either makes it garbage). Any daemon may crash at any step, at most MAXCRASH times
 * in all; a crash loses the process's memory, never what reached the file
 * system. The client retries until it sees 250 (RFC 5321 §4.5.4.1).
 *
 * Checked (spin -a; gcc pan.c; ./pan):
 *   - no phantom: nothing is delivered before a complete queue file existed,
 *     and an incomplete file is never handed to local (assertions);
 *   - no loss: in every end state, a message acknowledged with 250 was
 *     delivered (the end-state assertion in the monitor);
 *   - bounded duplicates: a second delivery happens only after a crash in
 *     the window "local linked into new/ but qmgr did not mark done" or
 *     "cleanup committed but the client never saw 250" (dup_explained).
 * Keep this model in step with the FI_POINT names in the code: each comment
 * below names the crash point it stands for.
 *
 * Mutants (spin -DMUTANT_...) break one rule each and must make a check fail,
 * so that a passing run means something (`make spin` runs the model and every mutant):
 *   MUTANT_REPLY_BEFORE_COMMIT   cleanup answers before its commit point;
 *   MUTANT_DONE_BEFORE_DELIVERY  qmgr marks a recipient done before local
 *                                reported it delivered.
 */

#define MAXCRASH 2
#define MAXTRIES 3

byte crashes = 0;

/* file-system state, which survives crashes */
byte incomplete = 0;   /* incoming/<id>.part files a live cleanup writes */
byte orphan_parts = 0; /* .part files whose writer died (flock free) */
byte complete = 0;     /* committed queue files: in incoming/ or active/,
                          or sealed in spare/ (committed in place; qmgr
                          may deliver it there, claimed in place) */
byte marked_done = 0;  /* committed files whose recipient is marked 'D' */
byte tmp_files = 0;    /* Maildir tmp/ files a live local writes */
byte orphan_tmp = 0;   /* Maildir tmp/ files whose writer died */
byte delivered = 0;    /* copies in Maildir new/ */

/* what the client saw */
bool acked = false;
byte tries = 0;

/* crashes inside the two documented duplicate windows */
byte dup_smtpd = 0;    /* committed, but the client never saw 250 */
byte dup_local = 0;    /* linked into new/, but qmgr never recorded done */

chan to_cleanup = [0] of { byte };
chan from_cleanup = [0] of { bool };
chan to_local = [0] of { byte };
chan from_local = [0] of { bool };

/* smtpd and its client, together: retry until 250 */
active proctype client_smtpd()
{
    do
    :: acked || tries >= MAXTRIES -> break
    :: else ->
        tries++;
        to_cleanup ! 1;
        if
        :: from_cleanup ? true ->
            if   /* smtpd.before_250: the client does not see the 250 */
            :: crashes < MAXCRASH -> crashes++; dup_smtpd++
            :: true -> acked = true
            fi
        :: from_cleanup ? false -> skip   /* 451 4.3.0: try again */
        fi
    od
}

active proctype cleanup()
{
    byte m;
end:
    do
    :: to_cleanup ? m ->
        incomplete++;                     /* cleanup.after_create */
#ifdef MUTANT_REPLY_BEFORE_COMMIT
        from_cleanup ! true;              /* the bug: 250 before the commit */
#endif
        /* before the commit nothing is committed (a new file: up to its
         * rename and directory fsync; a recycled one: up to the fsync of
         * its sealed content, queue_seal.h -- the hand-off by name or the
         * rename after it may be lost or undone, and recovery from spare/
         * makes that the same state) */
        if
        :: crashes < MAXCRASH ->
            atomic { crashes++; incomplete--; orphan_parts++ };
#ifndef MUTANT_REPLY_BEFORE_COMMIT
            from_cleanup ! false
#endif
        :: true ->
            atomic { incomplete--; complete++ };  /* cleanup.commit */
#ifndef MUTANT_REPLY_BEFORE_COMMIT
            from_cleanup ! true
#endif
        fi
    od
}

/* the successor discards incomplete work whose writer is gone (its flock
 * is free): queue_file_sweep, and local's tmp/ cleaner */
active proctype sweeper()
{
end:
    do
    :: orphan_parts > 0 -> orphan_parts--
    :: orphan_tmp > 0 -> orphan_tmp--
    od
}

active proctype qmgr()
{
    bool ok;
end:
    do
    :: complete > marked_done ->
#ifdef MUTANT_DONE_BEFORE_DELIVERY
        marked_done++;                    /* the bug: done before delivery */
#endif
        to_local ! 1;
        from_local ? ok;
        if
        :: ok ->
            if   /* qmgr.before_mark_done: qmgr dies, restarts, retries */
            :: crashes < MAXCRASH -> crashes++; dup_local++
            :: true ->
#ifndef MUTANT_DONE_BEFORE_DELIVERY
                marked_done++             /* qmgr.mark_done: R -> D, fsync */
#else
                skip
#endif
            fi
        :: else -> skip                   /* deferred: retried later */
        fi
    od
}

active proctype local_agent()
{
    byte m;
end:
    do
    :: to_local ? m ->
        assert(complete > 0);             /* only committed work arrives */
        tmp_files++;                      /* local.after_tmp_write */
        if
        :: crashes < MAXCRASH ->
            atomic { crashes++; tmp_files--; orphan_tmp++ };
            from_local ! false
        :: true ->
            atomic { tmp_files--; delivered++ };   /* local.link_new */
            if   /* local.before_report */
            :: crashes < MAXCRASH -> crashes++; dup_local++; from_local ! false
            :: true -> from_local ! true
            fi
        fi
    od
}

/* checked in every end state: the four guarantees */
active proctype monitor()
{
    timeout ->
    assert(!acked || delivered > 0);                   /* no loss */
    assert(delivered == 0 || complete > 0);            /* no phantom */
    assert(delivered <= 1 + dup_smtpd + dup_local);    /* bounded duplicates */
    assert(incomplete + orphan_parts + tmp_files + orphan_tmp == 0); /* clean */
    assert(marked_done == complete)                    /* nothing left behind */
}
