/*
 * fi_point.h - named crash points for the fault-injection harness.
 *
 * FI_POINT("cleanup.after_fsync") marks one step of a file or protocol
 * transaction. In a normal build it compiles to nothing. In the fault build
 * (make FI=1, which defines SLUICE_FAULT_INJECTION) each marker counts its
 * hits, and the process kills itself with SIGKILL when
 *
 *   SLUICE_FI_POINT=<name>   names this point, and
 *   SLUICE_FI_HIT=<n>        (default 1) is this process's n-th hit of it,
 *
 *   SLUICE_FI_PROG=<program>  (optional) names the program (basename of
 *                            its executable), for points that several
 *                            programs share (queue_file.* in cleanup, gate),
 *
 * unless the file named by SLUICE_FI_ONCE exists already: the first process
 * that fires creates it, so a daemon that master restarts does not die again
 * at the same place and the explorer sees exactly one crash per scenario.
 * SLUICE_FI_TRACE=<file> appends "<name> <pid> <program>" for every hit,
 * which is how the explorer learns which points a workload reaches. The
 * variables are read before main() (a constructor), so a program that
 * empties its environment, like the setgid gate, still obeys them.
 *
 * Point names are "<program>.<step>", e.g. "cleanup.before_rename"; every
 * name appears literally in the source so that `make faultinject-list` can
 * find it with grep.
 */
#ifndef FI_POINT_H
#define FI_POINT_H

#ifdef SLUICE_FAULT_INJECTION
void fi_point_hit(const char *name);
#define FI_POINT(name) fi_point_hit(name)
#else
#define FI_POINT(name) ((void)0)
#endif

#endif
