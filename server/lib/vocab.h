/*
 * vocab: the words of the domain, each list in one table: an election's phases and the
 * names the API, the database and the pages use for them. Text is parsed into an enum once,
 * where it enters; code compares enums. Pure.
 */
#ifndef PB_VOCAB_H
#define PB_VOCAB_H

#include <stdbool.h>

/* In the order an election goes through them. */
enum phase {
    PHASE_DRAFT,
    PHASE_PROPOSALS, /* ideas: citizens submit proposals */
    PHASE_SUPPORTS,  /* pre-selection: citizens support proposals (optional) */
    PHASE_REVIEW,    /* staff check and cost the proposals */
    PHASE_VOTING,
    PHASE_CLOSED,    /* voting over; staff count */
    PHASE_PUBLISHED, /* results public and final */
    PHASE_COUNT
};
/* A set of phases, for route tables: PH(PHASE_VOTING) | PH(PHASE_CLOSED). */
#define PH(p) (1u << (p))
#define PH_ALL ((1u << PHASE_COUNT) - 1)

/* The name the API and the database use ("voting"). */
const char *phase_name(enum phase p);
/* Parses a phase name; "ideas" is accepted for "proposals" (the pages call it that). */
bool phase_from_name(const char *name, enum phase *out);

#endif
