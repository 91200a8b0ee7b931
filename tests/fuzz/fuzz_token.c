/* libFuzzer target: voter session tokens. Any input must be refused without a crash (no
 * input can carry a valid MAC), and claims taken from the input survive a round trip. */
#include "lib/keys.h"
#include "lib/votertoken.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server_keys app;
    unsigned char secret[KEY_LEN];
    memset(secret, 0x5a, sizeof secret);
    keys_derive(secret, &app);
    char *token = malloc(size + 1);
    memcpy(token, data, size);
    token[size] = '\0';
    struct voter_claims c;
    if (voter_token_verify(&app, token, 0, &c))
        abort(); /* a forged token was accepted */
    free(token);

    if (size >= 24) {
        int64_t v[3];
        memcpy(v, data, sizeof v);
        struct voter_claims in = {.election_id = v[0] & 0xffffffffffffLL, .voter_id = v[1] & 0xffffffffffffLL,
                                  .expires = 4102444800};
        /* 0 to VOTER_MAX_FRAMES frames (0: a voter still to choose every district) */
        in.ndistricts = size > 24 ? data[24] % (VOTER_MAX_FRAMES + 1) : 1;
        for (size_t i = 0; i < in.ndistricts; i++)
            in.districts[i] = ((v[2] + (int64_t)i * 7919) & 0xffffffffffffLL) | 1;
        if (in.election_id > 0 && in.voter_id > 0) {
            char t[VOTER_TOKEN_MAX];
            voter_token_issue(&app, &in, t);
            if (!voter_token_verify(&app, t, 0, &c) || c.election_id != in.election_id ||
                c.voter_id != in.voter_id || c.ndistricts != in.ndistricts || c.expires != in.expires ||
                memcmp(c.districts, in.districts, in.ndistricts * sizeof in.districts[0]) != 0)
                abort();
        }
    }
    return 0;
}
