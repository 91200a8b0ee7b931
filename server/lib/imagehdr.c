/*
 * imagehdr: type and dimensions of JPEG, PNG and WebP pictures from their headers (see
 * imagehdr.h). Every read is bounds-checked against len: the input is whatever a client
 * sent.
 */
#include "lib/imagehdr.h"

#include <string.h>
#include <strings.h>

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
    return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* PNG: the signature, then the IHDR chunk, which the format requires to come first. */
static enum image_verdict png(const unsigned char *d, size_t len, struct image_info *out)
{
    if (len < 24 || memcmp(d + 12, "IHDR", 4) != 0 || be32(d + 8) != 13)
        return IMAGE_TRUNCATED;
    out->width = be32(d + 16);
    out->height = be32(d + 20);
    return IMAGE_OK;
}

/* JPEG: walks the marker segments to the first start-of-frame (SOF0..SOF15 except DHT,
 * JPG and DAC), whose fields after the precision byte are height and width. */
static enum image_verdict jpeg(const unsigned char *d, size_t len, struct image_info *out)
{
    size_t i = 2;
    while (i + 4 <= len) {
        if (d[i] != 0xFF)
            return IMAGE_TRUNCATED;
        unsigned char m = d[i + 1];
        if (m == 0xFF) { /* fill bytes before a marker */
            i++;
            continue;
        }
        /* markers without a length */
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) /* end of image, or the scan began without a frame */
            return IMAGE_TRUNCATED;
        size_t seg = be16(d + i + 2);
        if (seg < 2)
            return IMAGE_TRUNCATED;
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (seg < 7 || i + 9 > len)
                return IMAGE_TRUNCATED;
            out->height = be16(d + i + 5);
            out->width = be16(d + i + 7);
            return IMAGE_OK;
        }
        i += 2 + seg;
    }
    return IMAGE_TRUNCATED;
}

/* WebP: a RIFF container whose first chunk is VP8 (lossy), VP8L (lossless) or VP8X
 * (extended, with the canvas size). */
static enum image_verdict webp(const unsigned char *d, size_t len, struct image_info *out)
{
    if (len < 30)
        return IMAGE_TRUNCATED;
    const unsigned char *c = d + 12, *p = d + 20;
    if (memcmp(c, "VP8X", 4) == 0) {
        out->width = le24(p + 4) + 1;
        out->height = le24(p + 7) + 1;
        return IMAGE_OK;
    }
    if (memcmp(c, "VP8L", 4) == 0) {
        if (p[0] != 0x2F)
            return IMAGE_TRUNCATED;
        uint32_t bits = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
        out->width = (bits & 0x3FFF) + 1;
        out->height = ((bits >> 14) & 0x3FFF) + 1;
        return IMAGE_OK;
    }
    if (memcmp(c, "VP8 ", 4) == 0) {
        /* a key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit sizes */
        if (p[3] != 0x9D || p[4] != 0x01 || p[5] != 0x2A)
            return IMAGE_TRUNCATED;
        out->width = le16(p + 6) & 0x3FFF;
        out->height = le16(p + 8) & 0x3FFF;
        return IMAGE_OK;
    }
    return IMAGE_TRUNCATED;
}

enum image_verdict image_inspect(const unsigned char *d, size_t len, struct image_info *out)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    memset(out, 0, sizeof *out);
    enum image_verdict v;
    if (len >= 8 && memcmp(d, png_sig, 8) == 0) {
        out->type = IMAGE_PNG;
        v = png(d, len, out);
    } else if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
        out->type = IMAGE_JPEG;
        v = jpeg(d, len, out);
    } else if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        out->type = IMAGE_WEBP;
        v = webp(d, len, out);
    } else {
        return IMAGE_NOT_AN_IMAGE;
    }
    if (v != IMAGE_OK)
        return v;
    if (out->width == 0 || out->height == 0 || out->width > IMAGE_MAX_SIDE || out->height > IMAGE_MAX_SIDE ||
        (uint64_t)out->width * out->height > IMAGE_MAX_PIXELS)
        return IMAGE_TOO_LARGE;
    return IMAGE_OK;
}

static const char *const mimes[] = {NULL, "image/jpeg", "image/png", "image/webp"};

const char *image_mime(enum image_type t)
{
    return (unsigned)t < sizeof mimes / sizeof mimes[0] ? mimes[t] : NULL;
}

enum image_type image_type_from_mime(const char *ct)
{
    if (!ct)
        return IMAGE_UNKNOWN;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; ");
    for (int t = IMAGE_JPEG; t <= IMAGE_WEBP; t++)
        if (strlen(mimes[t]) == n && strncasecmp(ct, mimes[t], n) == 0)
            return (enum image_type)t;
    return IMAGE_UNKNOWN;
}
