/*
 * sluice.h - the admin command "sluice": a table of subcommands, each a
 * function that gets the words after its name. New subcommands (the queue
 * tools) add a row to sluice_cmds[] in sluice_cmds.c and a file of their own.
 *
 * usage: sluice [-c config_dir] [-o name=value] [-v] COMMAND [args...]
 *
 * Before a subcommand runs, main.cf is read (from -c, $SLUICE_CONFIG_DIR or
 * /etc/sluice, with the -o overrides), so subcommands use mail_conf_*.
 * A subcommand returns the exit status: 0 success, 1 failure, 2 usage,
 * 3 "not running" (sluice status, as LSB init scripts expect).
 */
#ifndef SLUICE_H
#define SLUICE_H

struct sluice_cmd {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the command name */
    const char *usage;                /* arguments, for the help text */
};

extern const struct sluice_cmd sluice_cmds[]; /* ends with a NULL name */

/* The configuration directory sluice was given (absolute when it exists). */
extern const char *sluice_config_dir;

/* sluice_master.c */
int sluice_start(int argc, char **argv);
int sluice_stop(int argc, char **argv);
int sluice_reload(int argc, char **argv);
int sluice_status(int argc, char **argv);
/* The pid of the running master (the holder of the pid file lock), or 0. */
long sluice_master_pid(void);

/* sluice_config.c */
int sluice_config(int argc, char **argv);

#endif
