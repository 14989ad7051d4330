/*
 * sys_ops.h - the few allocator and system-call wrappers that the proven
 * modules (vstring, safe_open) call instead of libc.
 *
 * Each wrapper is a line or two over libc; what makes it worth a file is its
 * contract, which the WP proofs trust. Those contracts and the ghost model
 * they speak of are in spec/sys_ops.h, included here so that the code that
 * ships and the code that is proven see one set of prototypes. System-call
 * wrappers return -errno on failure (never set errno for the caller).
 */
#ifndef SYS_OPS_H
#define SYS_OPS_H

#include "../../spec/sys_ops.h"

/* Test only: run hook(path) inside sys_race_window(); NULL removes it. */
void sys_set_race_hook(void (*hook)(const char *path));

#endif
