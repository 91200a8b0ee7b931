/* libFuzzer target: pictures decoded and encoded again without metadata. Whatever passes
 * the header check goes through the codec libraries; nothing may read past the input
 * (ASan), and a stripped picture is within the limits, not larger than asked for, and of
 * the same type when read again. */
#include "lib/imagehdr.h"
#include "lib/imagestrip.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct image_info i;
    /* the server's order: the header first, so that no bomb reaches a decoder */
    if (image_inspect(copy, size, &i) == IMAGE_OK) {
        struct stripped s;
        size_t max = 5u * 1024 * 1024;
        if (image_strip(copy, size, i.type, max, &s) == STRIP_OK) {
            struct image_info again;
            if (!s.bytes || s.len == 0 || s.len > max || image_inspect(s.bytes, s.len, &again) != IMAGE_OK ||
                again.type != i.type || again.width != s.width || again.height != s.height)
                abort();
            image_stripped_free(&s);
        } else if (s.bytes) {
            abort();
        }
    }
    free(copy);
    return 0;
}
