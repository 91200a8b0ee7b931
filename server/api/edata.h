/*
 * edata: an election's districts, accepted proposals and counted ballots, copied out of
 * the database into plain C so that a worker thread can count or export them without
 * touching the loop. Loading runs on the loop (two statements) into a struct that is the
 * first member of the request's state.
 */
#ifndef PB_EDATA_H
#define PB_EDATA_H

#include "lib/ballot_rules.h"
#include "lib/crypto.h"
#include "core/req.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eproject {
    int64_t id;
    int64_t cost;
    cJSON *title; /* owned */
    char *category;
    int64_t exclusive_group; /* 0: none; projects sharing a group exclude each other (greedy) */
};

struct edistrict {
    int64_t id;
    int64_t budget;
    cJSON *name; /* owned */
    /* the frame's rules: its group's own, else the election's */
    struct ballot_config ballot;
    char rule[32];
    cJSON *rule_params; /* owned */
    size_t nprojects;
    struct eproject *projects; /* sorted by id */
    size_t nballots;
    size_t *start;   /* nballots + 1 */
    int64_t *items;  /* proposal ids */
    int64_t *points; /* NULL unless cumulative */
    size_t cap;      /* allocated entries of items (and points) */
};

struct edata {
    int64_t election_id;
    cJSON *election; /* election_json */
    struct ballot_config ballot;
    char rule[32];
    cJSON *rule_params;
    char currency[8];
    char lang[12];
    size_t ndistricts;
    struct edistrict *districts;
    unsigned char priv[CRYPTO_ED25519_KEY_LEN];
    unsigned char pub[CRYPTO_ED25519_KEY_LEN];
    bool have_key;
    /* filled by the worker */
    char *output;
    size_t output_len;
    char signature[100]; /* base64 Ed25519 signature of output */
    char error[200];
    req_step_fn next; /* after loading */
};

/* Loads the election in r->election.id into e, which must be the first member of the
 * request's state, then calls next. Answers errors itself. */
void edata_load(struct req *r, struct edata *e, req_step_fn next);
/* Frees what e holds (not e itself). */
void edata_release(struct edata *e);
/* Signs output with the election's key into e->signature; false without a key. */
bool edata_sign(struct edata *e) PB_WUR;
const struct edistrict *edata_district(const struct edata *e, int64_t id);

#endif
