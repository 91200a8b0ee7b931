/* libFuzzer target: request paths through percent-decoding, segment checks and the router. */
#include "core/router.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nothing(struct req *r)
{
    (void)r;
}

static const struct route table[] = {
    {M_GET, "/healthz", nothing, AUTH_NONE, 0},
    {M_GET, "/api/v1/elections/:id", nothing, AUTH_NONE, 0},
    {M_PUT, "/api/v1/elections/:id/ballot", nothing, AUTH_VOTER, 0},
    {M_GET, "/api/v1/proposals/:id/history", nothing, AUTH_STAFF, 0},
};

const struct route *router_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = malloc(size + 1);
    memcpy(path, data, size);
    path[size] = '\0';
    char *segs[ROUTER_MAX_SEGMENTS], *decoded = NULL;
    size_t nsegs = 0;
    if (router_split_path(path, segs, &nsegs, &decoded)) {
        int64_t ids[4];
        int nids;
        unsigned allowed;
        const struct route *r = router_match(M_GET, (const char *const *)segs, nsegs, ids, &nids, &allowed);
        if (r && nids > 0 && ids[0] <= 0)
            abort();
    }
    for (size_t i = 0; i < nsegs; i++)
        free(segs[i]);
    free(decoded);
    free(path);
    return 0;
}
