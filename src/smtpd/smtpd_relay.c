/*
 * smtpd_relay.c - recipient relay control (smtpd_relay.h).
 */
#include <strings.h>

#include "smtpd_relay.h"

/* smtpd_relay_is_local - is the domain one of ours? */
int smtpd_relay_is_local(const char *domain, const char *const *mydest)
{
    size_t i;

    if (mydest == 0 || domain[0] == 0)
        return 0;
    for (i = 0; mydest[i] != 0; i++)
        if (strcasecmp(domain, mydest[i]) == 0)
            return 1;
    return 0;
}

/* smtpd_relay_check - may this client send to this recipient? */
int smtpd_relay_check(const struct smtpd_path *rcpt,
                      const char *const *mydest, int trusted,
                      const char **why)
{
    *why = 0;
    if (rcpt->flags & SMTPD_PATH_POSTMASTER)
        return SMTPD_RELAY_LOCAL;
    if (!trusted && (rcpt->flags & SMTPD_PATH_TRICKS)) {
        *why = "Relay access denied (address routing is not accepted)";
        return SMTPD_RELAY_DENIED;
    }
    if (smtpd_relay_is_local(rcpt->domain, mydest))
        return SMTPD_RELAY_LOCAL;
    if (trusted)
        return SMTPD_RELAY_ALLOWED;
    *why = "Relay access denied";
    return SMTPD_RELAY_DENIED;
}
