/* imagehdr: the type from magic bytes, the size from the header, bombs and truncation. */
#include "lib/imagehdr.h"
#include "unit.h"

#include <string.h>

static size_t png_header(unsigned char *b, uint32_t w, uint32_t h)
{
    static const unsigned char sig[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    memcpy(b, sig, sizeof sig);
    unsigned char *p = b + 16;
    p[0] = (unsigned char)(w >> 24), p[1] = (unsigned char)(w >> 16), p[2] = (unsigned char)(w >> 8), p[3] = (unsigned char)w;
    p[4] = (unsigned char)(h >> 24), p[5] = (unsigned char)(h >> 16), p[6] = (unsigned char)(h >> 8), p[7] = (unsigned char)h;
    memcpy(p + 8, "\x08\x02\x00\x00\x00", 5);
    return 29;
}

void test_imagehdr(void)
{
    unsigned char b[64];
    struct image_info i;

    size_t n = png_header(b, 640, 480);
    CHECK(image_inspect(b, n, &i) == IMAGE_OK && i.type == IMAGE_PNG && i.width == 640 && i.height == 480);
    n = png_header(b, 100000, 100000); /* the decompression bomb */
    CHECK(image_inspect(b, n, &i) == IMAGE_TOO_LARGE);
    n = png_header(b, 10000, 10000); /* each side allowed, the pixels not */
    CHECK(image_inspect(b, n, &i) == IMAGE_TOO_LARGE);
    n = png_header(b, 0, 10);
    CHECK(image_inspect(b, n, &i) == IMAGE_TOO_LARGE);
    CHECK(image_inspect(b, 20, &i) == IMAGE_TRUNCATED);

    /* JPEG: SOI, an APP0 segment, fill bytes, then SOF0 (height 600, width 800) */
    static const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F', 0xFF, 0xFF,
                                        0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x20, 0x03};
    CHECK(image_inspect(jpg, sizeof jpg, &i) == IMAGE_OK && i.type == IMAGE_JPEG && i.width == 800 &&
          i.height == 600);
    CHECK(image_inspect(jpg, 12, &i) == IMAGE_TRUNCATED);
    /* a scan before any frame, and a segment length below 2 */
    static const unsigned char noframe[] = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 0, 0, 0, 0, 0, 0};
    CHECK(image_inspect(noframe, sizeof noframe, &i) == IMAGE_TRUNCATED);
    static const unsigned char badlen[] = {0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0, 0};
    CHECK(image_inspect(badlen, sizeof badlen, &i) == IMAGE_TRUNCATED);
    /* SOF2 (progressive) counts; DHT (C4) does not */
    static const unsigned char prog[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x02, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20};
    CHECK(image_inspect(prog, sizeof prog, &i) == IMAGE_OK && i.width == 32 && i.height == 16);

    /* WebP: lossy (VP8), lossless (VP8L), extended (VP8X) */
    unsigned char w[40] = "RIFF\0\0\0\0WEBPVP8 \0\0\0\0";
    memcpy(w + 20, "\x10\x02\x00\x9d\x01\x2a\x40\x01\xf0\x00", 10); /* 320 x 240 */
    CHECK(image_inspect(w, 30, &i) == IMAGE_OK && i.type == IMAGE_WEBP && i.width == 320 && i.height == 240);
    w[23] = 0; /* no start code */
    CHECK(image_inspect(w, 30, &i) == IMAGE_TRUNCATED);
    memcpy(w + 12, "VP8L", 4);
    /* width-1 = 99 and height-1 = 49 in 14-bit fields */
    uint32_t bits = 99u | 49u << 14;
    w[20] = 0x2F, w[21] = (unsigned char)bits, w[22] = (unsigned char)(bits >> 8), w[23] = (unsigned char)(bits >> 16),
    w[24] = (unsigned char)(bits >> 24);
    CHECK(image_inspect(w, 30, &i) == IMAGE_OK && i.width == 100 && i.height == 50);
    memcpy(w + 12, "VP8X", 4);
    memset(w + 20, 0, 10);
    w[24] = 0x9F, w[25] = 0x86, w[26] = 0x01; /* canvas width 99999+1 */
    w[27] = 0x09;                             /* height 10 */
    CHECK(image_inspect(w, 30, &i) == IMAGE_TOO_LARGE);
    CHECK(image_inspect(w, 29, &i) == IMAGE_TRUNCATED);

    /* not an image at all: a PDF renamed .jpg, text, nothing */
    static const unsigned char pdf[] = "%PDF-1.7\n1 0 obj <<>> endobj";
    CHECK(image_inspect(pdf, sizeof pdf - 1, &i) == IMAGE_NOT_AN_IMAGE);
    CHECK(image_inspect((const unsigned char *)"", 0, &i) == IMAGE_NOT_AN_IMAGE);
    CHECK(image_inspect((const unsigned char *)"GIF89a", 6, &i) == IMAGE_NOT_AN_IMAGE);

    CHECK(image_type_from_mime("image/jpeg") == IMAGE_JPEG);
    CHECK(image_type_from_mime(" Image/PNG; charset=binary") == IMAGE_PNG);
    CHECK(image_type_from_mime("image/webp") == IMAGE_WEBP);
    CHECK(image_type_from_mime("image/jpegx") == IMAGE_UNKNOWN);
    CHECK(image_type_from_mime("application/pdf") == IMAGE_UNKNOWN && image_type_from_mime(NULL) == IMAGE_UNKNOWN);
    CHECK(strcmp(image_mime(IMAGE_WEBP), "image/webp") == 0 && image_mime(IMAGE_UNKNOWN) == NULL);
}
