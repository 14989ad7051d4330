/*
 * master.h - master's run-time state, shared by its files (not a public
 * interface). master_main.c starts it; master_serv.c turns master.cf entries
 * into running services (listeners, pipes, reload); master_spawn.c starts,
 * reaps and throttles processes; master_loop.c is the poll(2) loop with
 * signals, wakeups and the status file.
 */
#ifndef MASTER_H
#define MASTER_H

#include <sys/types.h>
#include <time.h>

#include "master_ent.h"

struct master_serv {
    struct master_ent ent;  /* the master.cf line (owned) */
    char *path;             /* program: daemon_directory/argv[0] */
    char *endpoint;         /* socket or fifo path; NULL for inet */
    int listen_fd;
    int status_fd[2];       /* children write [1], master reads [0] */
    int live_fd[2];         /* children read [0], master holds [1] */
    int total;              /* processes running */
    int avail;              /* of which idle (or just started) */
    time_t throttle_until;  /* 0 = not throttled */
    time_t next_wakeup;     /* 0 = no wakeup */
    struct master_serv *next;
};

struct master_proc {
    pid_t pid;
    struct master_serv *serv; /* NULL once its service was retired */
    int avail;
    int ready;                /* sent MASTER_STAT_READY */
    struct master_proc *next;
};

extern struct master_serv *master_services;
extern struct master_proc *master_procs;
extern const char *master_config_dir;
extern int master_child_debug;  /* pass -d to children */
/*
 * The status file needs rewriting: MASTER_STATUS_NOW when processes came
 * or went (written at the next loop turn), MASTER_STATUS_LAZY when only a
 * process turned busy or idle (written at most once a second: that
 * happens for every message).
 */
#define MASTER_STATUS_LAZY 1
#define MASTER_STATUS_NOW 2
extern int master_status_dirty;

/* master_serv.c */
void master_serv_start_all(const struct master_table *table);
void master_serv_reload(const struct master_table *table);
void master_serv_stop_all(void);
int master_serv_wants_request(const struct master_serv *serv, time_t now);
void master_serv_wakeup(struct master_serv *serv);

/* master_listen.c */
int master_listen(const struct master_ent *ent, char **endpoint);
void master_chown_owner(const char *path);

/* master_spawn.c */
void master_spawn(struct master_serv *serv);
void master_reap(void);
void master_read_status(struct master_serv *serv);
void master_retire_procs(struct master_serv *serv);
int master_signal_all(int sig);

/* master_loop.c */
void master_loop(void);
void master_write_status_file(void);

#endif
