/*
 * mail_params.h - the one table of configuration parameters: every name that
 * main.cf or "-o name=value" may set, with its default and a one-line
 * description. This is where a new parameter is born: add a row to
 * mail_param_table[] in mail_params.c (keep the rows grouped by the program
 * that reads them) and read it with mail_conf_str/int/bool/time (mail_conf.h).
 *
 * Defaults may refer to other parameters ("$myhostname"); they are expanded
 * like main.cf values. A row may name a function that computes its default
 * at run time (myhostname asks the system); its `defval` then documents what
 * the function does and is not used as a value.
 *
 * Looking up a name that is not in the table is a bug (msg_panic): every
 * parameter a program reads has a documented default.
 */
#ifndef MAIL_PARAMS_H
#define MAIL_PARAMS_H

struct mail_param {
    const char *name;
    const char *defval;           /* default value, may hold $references */
    const char *desc;             /* one line, for "sluice config -v" and docs */
    const char *(*compute)(void); /* optional run-time default, else NULL */
};

/* The table, ended by a row whose name is NULL. */
extern const struct mail_param mail_param_table[];

/* The row for name, or NULL when the name is not a known parameter. */
const struct mail_param *mail_param_find(const char *name);

/* The default of a row as text: compute() when set, else defval. */
const char *mail_param_default(const struct mail_param *param);

#endif
