/* imagestrip: EXIF Orientation applied as the EXIF specification says for each of 1..8 (the
 * corner the top-left and top-right blocks move to), no EXIF left, a cut-short file and a
 * decoder's too large dimensions refused, an output over the limit refused. The pictures are
 * made with TurboJPEG itself; the EXIF segment is test data written byte by byte. */
#include "lib/imagestrip.h"
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#define W 24
#define H 16

/* A grey 24 x 16 JPEG of six flat 8 x 8 blocks (exact at quality 100): 0 40 80 / 120 160 200. */
static unsigned char *grey_jpeg(unsigned long *n)
{
    unsigned char px[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            px[y * W + x] = (unsigned char)(40 * ((y / 8) * 3 + x / 8));
    tjhandle c = tjInitCompress();
    unsigned char *out = NULL;
    *n = 0;
    if (tjCompress2(c, px, W, 0, H, TJPF_GRAY, &out, n, TJSAMP_GRAY, 100, 0) != 0)
        *n = 0;
    tjDestroy(c);
    return out;
}

/* The JPEG with an APP1 EXIF segment (little-endian TIFF, one IFD entry: Orientation = o)
 * after its SOI. */
static unsigned char *with_exif(const unsigned char *j, unsigned long n, int o, size_t *len)
{
    static const unsigned char app1[] = {0xFF, 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0,
                                         1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    unsigned char *b = malloc(n + sizeof app1);
    memcpy(b, j, 2);
    memcpy(b + 2, app1, sizeof app1);
    b[2 + 28] = (unsigned char)o; /* the entry's value */
    memcpy(b + 2 + sizeof app1, j + 2, n - 2);
    *len = n + sizeof app1;
    return b;
}

/* The grey level at the centre of the block of a corner (0 TL, 1 TR, 2 BL, 3 BR). */
static int corner(const unsigned char *px, uint32_t w, uint32_t h, int which)
{
    uint32_t x = which & 1 ? w - 4 : 4, y = which & 2 ? h - 4 : 4;
    return px[y * w + x];
}

static bool near(int a, int b) { return abs(a - b) <= 6; }

void test_imagestrip(void)
{
    unsigned long n;
    unsigned char *j = grey_jpeg(&n);
    CHECK(j && n > 0);
    if (!j || !n)
        return;
    /* where the top-left (0) and the top-right (80) block go: TL, TR, BL, BR = 0, 1, 2, 3 */
    static const int tl_to[9] = {0, 0, 1, 3, 2, 0, 1, 3, 2};
    static const int tr_to[9] = {0, 1, 0, 2, 3, 2, 3, 1, 0};
    for (int o = 1; o <= 8; o++) {
        size_t len;
        unsigned char *b = with_exif(j, n, o, &len);
        struct stripped s;
        CHECK(image_strip(b, len, IMAGE_JPEG, 1 << 20, &s) == STRIP_OK);
        CHECK(s.orientation == o);
        CHECK(o >= 5 ? (s.width == H && s.height == W) : (s.width == W && s.height == H));
        CHECK(s.len > 4 && memmem(s.bytes, s.len, "Exif", 4) == NULL);
        tjhandle d = tjInitDecompress();
        int w, h, samp, cs;
        unsigned char *px = malloc((size_t)W * H);
        bool ok = s.bytes && tjDecompressHeader3(d, s.bytes, s.len, &w, &h, &samp, &cs) == 0 && w == (int)s.width &&
                  h == (int)s.height && tjDecompress2(d, s.bytes, s.len, px, w, 0, h, TJPF_GRAY, 0) == 0;
        CHECK(ok);
        if (ok) {
            CHECK(near(corner(px, (uint32_t)w, (uint32_t)h, tl_to[o]), 0));
            CHECK(near(corner(px, (uint32_t)w, (uint32_t)h, tr_to[o]), 80));
        }
        free(px);
        tjDestroy(d);
        image_stripped_free(&s);
        free(b);
    }
    struct stripped s;
    /* cut short in the scan: the header is whole */
    CHECK(image_strip(j, n - 20, IMAGE_JPEG, 1 << 20, &s) == STRIP_UNDECODABLE && s.bytes == NULL);
    /* more than the limit encoded again */
    CHECK(image_strip(j, n, IMAGE_JPEG, 10, &s) == STRIP_OUT_TOO_BIG && s.bytes == NULL);
    /* the decoder's own dimensions are held to the limits: the frame says 13000 pixels wide */
    unsigned char *big = malloc(n);
    memcpy(big, j, n);
    for (unsigned long i = 2; i + 9 < n; i++)
        if (big[i] == 0xFF && big[i + 1] == 0xC0) {
            big[i + 7] = 13000 >> 8;
            big[i + 8] = 13000 & 0xFF;
            break;
        }
    CHECK(image_strip(big, n, IMAGE_JPEG, 1 << 20, &s) == STRIP_TOO_LARGE && s.bytes == NULL);
    CHECK(image_strip(j, n, IMAGE_PNG, 1 << 20, &s) == STRIP_UNDECODABLE);
    CHECK(image_strip(j, n, IMAGE_WEBP, 1 << 20, &s) == STRIP_UNDECODABLE);
    image_stripped_free(NULL);
    free(big);
    tjFree(j);
}
