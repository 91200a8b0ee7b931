/*
 * vocab: name tables. The database stores the same names (elections.phase CHECK).
 */
#include "lib/vocab.h"
#include "lib/util.h"

#include <string.h>

static const char *const phase_names[PHASE_COUNT] = {
    [PHASE_DRAFT] = "draft",   [PHASE_PROPOSALS] = "proposals", [PHASE_SUPPORTS] = "supports",
    [PHASE_REVIEW] = "review", [PHASE_VOTING] = "voting",       [PHASE_CLOSED] = "closed",
    [PHASE_PUBLISHED] = "published",
};

const char *phase_name(enum phase p)
{
    return (unsigned)p < PHASE_COUNT ? phase_names[p] : "unknown";
}

bool phase_from_name(const char *name, enum phase *out)
{
    if (!name)
        return false;
    if (strcmp(name, "ideas") == 0) {
        *out = PHASE_PROPOSALS;
        return true;
    }
    for (int i = 0; i < PHASE_COUNT; i++)
        if (strcmp(name, phase_names[i]) == 0) {
            *out = (enum phase)i;
            return true;
        }
    return false;
}
