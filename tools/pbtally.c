/*
 * pbtally: the observers' recount tool. Reads a pabulib file (such as an export of this
 * server), optionally checks its detached Ed25519 signature, counts it with the rule its
 * META names (or the one given) and prints the selected project ids in the order they
 * were selected, or with --json the details.
 *
 *   pbtally FILE.pb
 *   pbtally --rule greedy|greedy-no-skip|greedy-threshold|equal_shares|phragmen
 *           [--completion none|add1|add1-comparison] [--utilities cost|cardinality]
 *           [--threshold N|none] [--fill] [--json|--explain]
 *           [--compare OTHER.pb [--other-rule R]]
 *           [--verify KEY.pem --signature SIG] FILE.pb
 *   pbtally --check FILE.pb   compare with the file's "selected" column (exit 1 if different)
 *
 * The settings applied (and whether they came from the file's META) go to stderr with the
 * plain list, into "settings" with --json, and on top of --explain and --compare.
 */
#include "lib/crypto.h"
#include "lib/util.h"
#include "pbcount.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fputs("usage: pbtally [--rule R] [--completion C] [--utilities U] [--threshold N|none] [--fill]\n"
          "               [--json | --explain] [--compare OTHER.pb [--other-rule R]] [--check]\n"
          "               [--unit-steps]\n"
          "               [--verify KEY.pem --signature SIG|SIGFILE] FILE.pb\n",
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

static int check_official(const struct pbcount *c)
{
    if (!c->e.has_selected) {
        fprintf(stderr, "pbtally: %s has no selected column\n", c->path);
        return 2;
    }
    int status = 0;
    for (size_t i = 0; i < c->e.nprojects; i++) {
        if (c->res.selected[i] != c->e.official[i]) {
            printf("DIFFERS %s: official %d, counted %d\n", c->e.ids[i], c->e.official[i], c->res.selected[i]);
            status = 1;
        }
    }
    if (status == 0)
        printf("MATCHES %s (%zu selected)\n", c->path, c->res.nselected);
    return status;
}

/* Reads, verifies if asked, and counts path. */
static int count_file(const char *path, const char *keyfile, const char *sig, const struct pbcount_args *a,
                      struct pbcount *c)
{
    size_t len;
    char *data = read_file(path, &len);
    if (!data) {
        fprintf(stderr, "pbtally: cannot read %s\n", path);
        return 2;
    }
    if (keyfile && !verify(data, len, keyfile, sig)) {
        fprintf(stderr, "pbtally: SIGNATURE INVALID: %s is not what the election signed\n", path);
        free(data);
        return 3;
    }
    int rc = pbcount_run(path, data, len, a, c);
    free(data);
    return rc;
}

static bool one_of(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct pbcount_args a = {0};
    const char *keyfile = NULL, *sig = NULL, *other = NULL, *other_rule = NULL;
    bool json = false, check = false, explain = false;
    static const struct option opts[] = {
        {"rule", required_argument, NULL, 'r'}, {"completion", required_argument, NULL, 'c'},
        {"utilities", required_argument, NULL, 'u'}, {"json", no_argument, NULL, 'j'},
        {"verify", required_argument, NULL, 'v'}, {"signature", required_argument, NULL, 's'},
        {"check", no_argument, NULL, 'k'}, {"fill", no_argument, NULL, 'f'},
        {"unit-steps", no_argument, NULL, 'U'}, {"threshold", required_argument, NULL, 't'},
        {"explain", no_argument, NULL, 'e'}, {"compare", required_argument, NULL, 'C'},
        {"other-rule", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'r': a.rule = optarg; break;
        case 'c': a.completion = optarg; break;
        case 'u': a.utilities = optarg; break;
        case 't': a.threshold = optarg; break;
        case 'j': json = true; break;
        case 'e': explain = true; break;
        case 'C': other = optarg; break;
        case 'O': other_rule = optarg; break;
        case 'v': keyfile = optarg; break;
        case 's': sig = optarg; break;
        case 'k': check = true; break;
        case 'f': a.fill = true; break;
        case 'U': a.unit_steps = true; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || (!keyfile) != (!sig) || (json && explain))
        usage();
    /* a value not taken is refused, not read as the default */
    static const char *const completions[] = {"none", "add1", "add1-comparison", NULL};
    static const char *const utilities[] = {"cost", "cardinality", NULL};
    if (a.completion && !one_of(a.completion, completions)) {
        fprintf(stderr, "pbtally: --completion takes none, add1 or add1-comparison, not \"%s\"\n", a.completion);
        return 2;
    }
    if (a.utilities && !one_of(a.utilities, utilities)) {
        fprintf(stderr, "pbtally: --utilities takes cost or cardinality, not \"%s\"\n", a.utilities);
        return 2;
    }
    struct pbcount c;
    int rc = count_file(argv[optind], keyfile, sig, &a, &c);
    if (rc != 0)
        return rc;
    int status = 0;
    if (other) {
        struct pbcount d;
        /* the other file is counted with the same options (--other-rule: that rule, for
         * comparing two rules on one file); its own META fills the rest */
        struct pbcount_args b = a;
        if (other_rule) {
            b.rule = other_rule;
            b.completion = NULL;
        }
        rc = count_file(other, NULL, NULL, &b, &d);
        if (rc != 0) {
            pbcount_free(&c);
            return rc;
        }
        status = pbtally_compare(&c, &d, stdout);
        pbcount_free(&d);
    } else if (json) {
        pbtally_json(&c, stdout);
    } else if (explain) {
        pbtally_explain(&c, stdout);
    } else if (!check) {
        fprintf(stderr, "pbtally: ");
        pbcount_settings(&c, stderr);
        for (size_t i = 0; i < c.res.nselected; i++)
            puts(c.e.ids[c.res.order[i]]);
    }
    if (check)
        status = check_official(&c);
    pbcount_free(&c);
    return status;
}
