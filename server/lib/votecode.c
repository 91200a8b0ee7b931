/*
 * votecode: the voting codes printed on letters and cards. Their keyed hashes are in
 * voterkeys.
 */
#include "lib/votecode.h"
#include "lib/crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

void votecode_new(char out[VOTECODE_STRLEN])
{
    /* Uniform symbols by rejection: bytes of 248 and over would favour the first letters.
     * One call to the CSPRNG usually covers the whole code. */
    const unsigned n = sizeof alphabet - 1, limit = 256 - 256 % n;
    unsigned char pool[32];
    size_t used = sizeof pool, j = 0;
    for (int i = 0; i < VOTECODE_CHARS;) {
        if (used == sizeof pool) {
            crypto_random(pool, sizeof pool);
            used = 0;
        }
        unsigned b = pool[used++];
        if (b >= limit)
            continue;
        if (i && i % 4 == 0)
            out[j++] = '-';
        out[j++] = alphabet[b % n];
        i++;
    }
    out[j] = '\0';
    crypto_wipe(pool, sizeof pool);
}

bool votecode_normalise(const char *in, char out[VOTECODE_CHARS + 1])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char c = (char)toupper((unsigned char)*p);
        if (!memchr(alphabet, c, sizeof alphabet - 1) || c == '\0' || n >= VOTECODE_CHARS)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == VOTECODE_CHARS;
}
