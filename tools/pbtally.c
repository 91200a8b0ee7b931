/*
 * pbtally: the observers' recount tool. Reads a pabulib file (such as an export of this
 * server), optionally checks its detached Ed25519 signature, counts it with the rule its
 * META names (or the one given) and prints the selected project ids in the order they
 * were selected, or with --json the details.
 *
 *   pbtally FILE.pb
 *   pbtally --rule greedy|greedy-no-skip|greedy-threshold|equal_shares|phragmen
 *           [--completion none|add1|add1-comparison] [--utilities cost|cardinality]
 *           [--fill] [--json] [--verify KEY.pem --signature SIG] FILE.pb
 *   pbtally --check FILE.pb   compare with the file's "selected" column (exit 1 if different)
 */
#include "lib/crypto.h"
#include "lib/pbfile/pbelection.h"
#include "lib/pbfile/pbfile.h"
#include "lib/tally/tally.h"
#include "lib/util.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(void)
{
    fputs("usage: pbtally [--rule R] [--completion C] [--utilities U] [--fill] [--json]\n"
          "               [--verify KEY.pem --signature SIG|SIGFILE] [--check] FILE.pb\n",
          stderr);
    exit(2);
}

static bool verify(const char *data, size_t len, const char *keyfile, const char *sig)
{
    size_t klen, slen;
    char *pem = read_file(keyfile, &klen);
    unsigned char pub[CRYPTO_ED25519_KEY_LEN], raw[CRYPTO_ED25519_SIG_LEN + 4];
    if (!pem || !crypto_ed25519_pub_from_pem(pem, klen, pub)) {
        fprintf(stderr, "pbtally: cannot read an Ed25519 public key from %s\n", keyfile);
        free(pem);
        return false;
    }
    free(pem);
    /* the signature: base64 text, given directly or in a file */
    char *text = read_file(sig, &slen);
    char *b64 = text ? text : xstrdup(sig);
    b64[strcspn(b64, "\r\n ")] = '\0';
    int n = crypto_unbase64(b64, raw, sizeof raw);
    free(b64);
    if (n != CRYPTO_ED25519_SIG_LEN) {
        fprintf(stderr, "pbtally: the signature is not a base64 Ed25519 signature\n");
        return false;
    }
    return crypto_ed25519_verify(pub, data, len, raw);
}

int main(int argc, char **argv)
{
    const char *rule = NULL, *completion = NULL, *utilities = NULL, *keyfile = NULL, *sig = NULL;
    bool json = false, check = false, fill = false, unit_steps = false;
    static const struct option opts[] = {
        {"rule", required_argument, NULL, 'r'}, {"completion", required_argument, NULL, 'c'},
        {"utilities", required_argument, NULL, 'u'}, {"json", no_argument, NULL, 'j'},
        {"verify", required_argument, NULL, 'v'}, {"signature", required_argument, NULL, 's'},
        {"check", no_argument, NULL, 'k'}, {"fill", no_argument, NULL, 'f'},
        {"unit-steps", no_argument, NULL, 'U'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': rule = optarg; break;
        case 'c': completion = optarg; break;
        case 'u': utilities = optarg; break;
        case 'j': json = true; break;
        case 'v': keyfile = optarg; break;
        case 's': sig = optarg; break;
        case 'k': check = true; break;
        case 'f': fill = true; break;
        case 'U': unit_steps = true; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || (!keyfile) != (!sig))
        usage();
    size_t len;
    char *data = read_file(argv[optind], &len);
    if (!data) {
        fprintf(stderr, "pbtally: cannot read %s\n", argv[optind]);
        return 2;
    }
    if (keyfile && !verify(data, len, keyfile, sig)) {
        fprintf(stderr, "pbtally: SIGNATURE INVALID: the file is not what the election signed\n");
        free(data);
        return 3;
    }
    struct pbfile f;
    char err[256] = "";
    if (!pbfile_read(data, len, &f, err, sizeof err)) {
        fprintf(stderr, "pbtally: %s: %s\n", argv[optind], err);
        free(data);
        return 2;
    }
    free(data);
    struct pb_election e;
    if (!pb_election_build(&f, &e, err, sizeof err)) {
        fprintf(stderr, "pbtally: %s: %s\n", argv[optind], err);
        pbfile_free(&f);
        return 2;
    }
    /* --rule names our rules; the file's META names pabulib's */
    char rulebuf[64];
    const char *prule = e.rule;
    if (rule) {
        if (strcmp(rule, "equal_shares") == 0)
            snprintf(rulebuf, sizeof rulebuf, "equalshares%s%s", completion ? "/" : "",
                     completion ? completion : "");
        else
            snprintf(rulebuf, sizeof rulebuf, "%s", rule);
        prule = rulebuf;
    } else if (completion && strncmp(prule, "equalshares", 11) == 0) {
        snprintf(rulebuf, sizeof rulebuf, "equalshares/%s", completion);
        prule = rulebuf;
    }
    struct tally_options opt;
    if (!pb_rule_options(prule, &opt)) {
        fprintf(stderr, "pbtally: rule \"%s\" is not implemented; give --rule\n", prule);
        pb_election_free(&e);
        pbfile_free(&f);
        return 2;
    }
    if (strcmp(prule, "greedy-threshold") == 0 || (rule && e.min_score))
        opt.min_score = e.min_score;
    if (utilities && strcmp(utilities, "cardinality") == 0)
        opt.utilities = UTIL_CARDINALITY;
    opt.fill_greedy = fill;
    opt.add1_unit_steps = unit_steps;
    /* withdrawn projects (cost 999999999) take no part */
    int64_t *cost = xcalloc(e.nprojects, sizeof *cost);
    for (size_t i = 0; i < e.nprojects; i++)
        cost[i] = e.withdrawn[i] ? e.in.budget + 1 : e.cost[i];
    struct tally_input in = e.in;
    in.cost = cost;
    if (opt.rule != RULE_GREEDY && in.kind != TALLY_APPROVAL) {
        fprintf(stderr, "pbtally: %s counts approval ballots only\n", prule);
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct tally_result res;
    int rc = tally_run(&in, &opt, &res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) {
        fprintf(stderr, "pbtally: the ballots cannot be counted\n");
        return 2;
    }
    int status = 0;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule", prule);
        cJSON_AddNumberToObject(o, "budget", (double)e.in.budget / 100);
        cJSON_AddNumberToObject(o, "spent", (double)res.spent / 100);
        cJSON_AddNumberToObject(o, "ballots", (double)e.in.nballots);
        cJSON_AddNumberToObject(o, "seconds", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        if (opt.rule == RULE_EQUAL_SHARES) {
            cJSON_AddNumberToObject(o, "voter_budget", (double)res.voter_budget / 100);
            cJSON_AddBoolToObject(o, "switched_to_greedy", res.used_greedy);
            cJSON_AddNumberToObject(o, "runs", (double)res.runs);
            cJSON_AddNumberToObject(o, "checks", (double)res.checks);
        }
        cJSON *sel = cJSON_AddArrayToObject(o, "selected");
        for (size_t i = 0; i < res.nselected; i++)
            cJSON_AddItemToArray(sel, cJSON_CreateString(e.ids[res.order[i]]));
        cJSON *ps = cJSON_AddArrayToObject(o, "projects");
        for (size_t i = 0; i < e.nprojects; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "id", e.ids[i]);
            cJSON_AddNumberToObject(p, "cost", (double)e.cost[i] / 100);
            cJSON_AddNumberToObject(p, "score", (double)res.score[i]);
            cJSON_AddBoolToObject(p, "selected", res.selected[i]);
            if (res.price && res.selected[i] && res.price[i] > 0)
                cJSON_AddNumberToObject(p, "price_per_supporter", res.price[i] / 100);
            cJSON_AddItemToArray(ps, p);
        }
        char *text = cJSON_Print(o);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    } else if (!check) {
        for (size_t i = 0; i < res.nselected; i++)
            puts(e.ids[res.order[i]]);
    }
    if (check) {
        if (!e.has_selected) {
            fprintf(stderr, "pbtally: %s has no selected column\n", argv[optind]);
            status = 2;
        } else {
            for (size_t i = 0; i < e.nprojects; i++) {
                if (res.selected[i] != e.official[i]) {
                    printf("DIFFERS %s: official %d, counted %d\n", e.ids[i], e.official[i], res.selected[i]);
                    status = 1;
                }
            }
            if (status == 0)
                printf("MATCHES %s (%zu selected)\n", argv[optind], res.nselected);
        }
    }
    tally_result_free(&res);
    free(cost);
    pb_election_free(&e);
    pbfile_free(&f);
    return status;
}
