/* Signed voter tokens: round trip, expiry, and that no byte can change unnoticed. */
#include "lib/keys.h"
#include "lib/votecode.h"
#include "lib/votertoken.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

void test_votertoken(void)
{
    struct server_keys app, other;
    unsigned char secret[KEY_LEN];
    memset(secret, 7, sizeof secret);
    keys_derive(secret, &app);
    memset(secret, 8, sizeof secret);
    keys_derive(secret, &other);

    struct voter_claims c = {.election_id = 12, .voter_id = 345678, .district_id = 9, .expires = 2000000000}, got;
    char t1[VOTER_TOKEN_MAX], t2[VOTER_TOKEN_MAX];
    voter_token_issue(&app, &c, t1);
    voter_token_issue(&app, &c, t2);
    CHECK(voter_token_is_signed(t1));
    CHECK(strcmp(t1, t2) != 0); /* the nonce makes each token unique */
    CHECK(voter_token_verify(&app, t1, 1900000000, &got));
    CHECK(got.election_id == 12 && got.voter_id == 345678 && got.district_id == 9 && got.expires == 2000000000);
    CHECK(!voter_token_verify(&app, t1, 2000000000, &got)); /* expired */
    CHECK(!voter_token_verify(&other, t1, 1900000000, &got)); /* another server secret */

    /* Every single-byte change is refused. */
    int accepted = 0;
    size_t n = strlen(t1);
    for (size_t i = 0; i < n; i++) {
        char m[VOTER_TOKEN_MAX];
        memcpy(m, t1, n + 1);
        m[i] = m[i] == '1' ? '2' : '1';
        if (voter_token_verify(&app, m, 1900000000, &got))
            accepted++;
    }
    CHECK(accepted == 0);

    /* A token for another voter cannot be made by editing the claims and keeping the MAC. */
    char forged[VOTER_TOKEN_MAX];
    const char *mac = strrchr(t1, '.');
    const char *nonce_end = mac;
    const char *nonce = nonce_end - 16;
    snprintf(forged, sizeof forged, "pbv1.12.345679.9.2000000000.%.16s%s", nonce, mac);
    CHECK(!voter_token_verify(&app, forged, 1900000000, &got));

    const char *bad[] = {"", "pbv1.", "pbv1....", "pbv1.1.2.3.4.0011223344556677.", "random-session-token",
                         "pbv1.-1.2.3.2000000000.0011223344556677.00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!voter_token_verify(&app, bad[i], 1900000000, &got));
    char huge[4096];
    memset(huge, '1', sizeof huge - 1);
    memcpy(huge, "pbv1.", 5);
    huge[sizeof huge - 1] = '\0';
    CHECK(!voter_token_verify(&app, huge, 1900000000, &got));
}

/* Voting codes: well-formed, distinct, and every symbol of the alphabet in use. */
void test_votecode(void)
{
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    int seen[256] = {0}, bad = 0;
    char first[VOTECODE_STRLEN] = "";
    int repeats = 0;
    for (int i = 0; i < 2000; i++) {
        char code[VOTECODE_STRLEN], norm[VOTECODE_CHARS + 1];
        votecode_new(code);
        if (strlen(code) != VOTECODE_STRLEN - 1 || code[4] != '-' || code[9] != '-' || code[14] != '-' ||
            !votecode_normalise(code, norm))
            bad++;
        for (const char *p = norm; *p; p++)
            seen[(unsigned char)*p]++;
        if (i == 0)
            memcpy(first, code, sizeof first);
        else if (strcmp(first, code) == 0)
            repeats++;
    }
    CHECK(bad == 0);
    CHECK(repeats == 0);
    int unused = 0, foreign = 0;
    for (int c = 0; c < 256; c++) {
        bool in = c && strchr(alphabet, c) != NULL;
        if (in && seen[c] < 500) /* 32,000 symbols over 31 letters: about 1,032 each */
            unused++;
        if (!in && seen[c])
            foreign++;
    }
    CHECK(unused == 0);
    CHECK(foreign == 0);
    char norm[VOTECODE_CHARS + 1];
    CHECK(votecode_normalise("abcd-efgh-jkmn-pqrs", norm) && strcmp(norm, "ABCDEFGHJKMNPQRS") == 0);
    CHECK(!votecode_normalise("ABCD-EFGH-JKMN-PQR0", norm)); /* 0 is not in the alphabet */
    CHECK(!votecode_normalise("ABCD-EFGH-JKMN-PQR", norm));  /* too short */
}
