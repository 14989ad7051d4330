/*
 * shim.h - internal interface between the parts of the syscall fault shim
 * (shim.c: configuration, counting, fd-based calls; shim_paths.c: path-based
 * calls and malloc; shim_power.c, shim_undo.c: the power-loss mode, see
 * shim_power.h). Not used by any daemon.
 */
#ifndef SHIM_H
#define SHIM_H

enum shim_class { SC_WRITE, SC_FSYNC, SC_FDATASYNC, SC_RENAME, SC_LINK,
                  SC_UNLINK, SC_OPEN, SC_MKDIR, SC_MALLOC, SC_COUNT };

/* The errno to inject; 0 means a short write (no error). */
extern int shim_errno;

/* A SLUICE_SHIM_* variable as it was before main(), or NULL. */
const char *shim_env(const char *name);

/* Set once the constructor has copied the environment. */
extern int shim_snapped;

/* Does path match SLUICE_SHIM_PATH (unset: everything matches)? */
int shim_path_ok(const char *path);

/* The basename of this process's executable. */
const char *shim_progname(void);

/* The C library's definition of name (dlsym RTLD_NEXT). */
void *shim_real(const char *name);

/*
 * Counts one call of class cls on path (or on fd when fd >= 0) and returns
 * 1 when it is the one to fail. Never allocates; safe to call re-entrantly.
 */
int shim_should_fail(int cls, const char *path, int fd);

/* Descriptors below this are tracked for SLUICE_SHIM_LOSE. */
#define SHIM_MAX_FD 4096

/* Called by the open hooks: fd was opened with flags (O_CREAT: maybe new). */
void shim_created(int fd, int flags);

#define SHIM_FAIL(ret) do { errno = shim_errno ? shim_errno : EIO; \
                            return (ret); } while (0)

#endif
