/* Signed voter tokens: round trip, expiry, and that no byte can change unnoticed. */
#include "lib/crypto.h"
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

    struct voter_claims c = {.election_id = 12, .voter_id = 345678, .districts = {9}, .ndistricts = 1,
                             .expires = 2000000000}, got;
    char t1[VOTER_TOKEN_MAX], t2[VOTER_TOKEN_MAX];
    voter_token_issue(&app, &c, t1);
    voter_token_issue(&app, &c, t2);
    CHECK(voter_token_is_signed(t1));
    CHECK(strcmp(t1, t2) != 0); /* the nonce makes each token unique */
    CHECK(voter_token_verify(&app, t1, 1900000000, &got));
    CHECK(got.election_id == 12 && got.voter_id == 345678 && got.ndistricts == 1 && got.districts[0] == 9 &&
          got.expires == 2000000000);
    CHECK(voter_frames_include(got.districts, got.ndistricts, 9) && !voter_frames_include(got.districts, got.ndistricts, 10));

    /* several frames (a city-wide and a district budget), and none yet (a choice to make) */
    struct voter_claims many = {.election_id = 12, .voter_id = 7, .ndistricts = VOTER_MAX_FRAMES,
                                .expires = 2000000000};
    for (size_t i = 0; i < VOTER_MAX_FRAMES; i++)
        many.districts[i] = 900000000000000000LL + (int64_t)i;
    char tm[VOTER_TOKEN_MAX];
    voter_token_issue(&app, &many, tm);
    CHECK(voter_token_verify(&app, tm, 1900000000, &got));
    CHECK(got.ndistricts == VOTER_MAX_FRAMES && got.districts[7] == 900000000000000007LL);
    struct voter_claims none = {.election_id = 12, .voter_id = 7, .expires = 2000000000};
    voter_token_issue(&app, &none, tm);
    CHECK(voter_token_verify(&app, tm, 1900000000, &got) && got.ndistricts == 0);
    /* malformed district lists, even under a valid MAC, are refused by the parser */
    const char *lists[] = {"9-", "-9", "9--10", "9-0", "1-2-3-4-5-6-7-8-9", "00"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        char raw[VOTER_TOKEN_MAX];
        snprintf(raw, sizeof raw, "pbv1.12.7.%s.2000000000.0011223344556677", lists[i]);
        unsigned char mac[32];
        char hex[65];
        crypto_hmac_sha256(app.voter_session, KEY_LEN, raw, strlen(raw), mac);
        crypto_hex(mac, sizeof mac, hex);
        char full[VOTER_TOKEN_MAX + 80];
        snprintf(full, sizeof full, "%s.%s", raw, hex);
        CHECK(!voter_token_verify(&app, full, 1900000000, &got));
    }
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
