/* libFuzzer target: the picture header reader. Any input is read without reading past its
 * end (ASan), and an accepted picture always has dimensions within the limits. */
#include "lib/imagehdr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so that ASan sees any read beyond it */
    unsigned char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct image_info i;
    if (image_inspect(copy, size, &i) == IMAGE_OK &&
        (i.type == IMAGE_UNKNOWN || !i.width || !i.height || i.width > IMAGE_MAX_SIDE ||
         i.height > IMAGE_MAX_SIDE || (uint64_t)i.width * i.height > IMAGE_MAX_PIXELS))
        abort();
    free(copy);
    return 0;
}
