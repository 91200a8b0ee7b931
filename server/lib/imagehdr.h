/*
 * imagehdr: what an uploaded picture is, read from its own bytes. The type comes from the
 * magic bytes (never from a Content-Type header or a file name) and the dimensions from
 * the header, so that a picture declaring more pixels than a phone can decode (a
 * decompression bomb: a few kilobytes of PNG that unpack to gigabytes) is refused before
 * anyone stores or shows it. Reads headers only; decodes no pixels. Pure.
 */
#ifndef PB_IMAGEHDR_H
#define PB_IMAGEHDR_H

#include <stddef.h>
#include <stdint.h>

enum image_type { IMAGE_UNKNOWN, IMAGE_JPEG, IMAGE_PNG, IMAGE_WEBP };

/* The largest picture accepted: a side and the pixel count (a 48-megapixel phone camera
 * fits; a bomb declaring 100000 x 100000 does not). */
#define IMAGE_MAX_SIDE 12000u
#define IMAGE_MAX_PIXELS 50000000u

enum image_verdict {
    IMAGE_OK,
    IMAGE_NOT_AN_IMAGE, /* not JPEG, PNG or WebP by its magic bytes */
    IMAGE_TRUNCATED,    /* the magic is right but the header that gives the size is not there */
    IMAGE_TOO_LARGE,    /* the declared dimensions exceed the limits above, or are zero */
};

struct image_info {
    enum image_type type;
    uint32_t width, height;
};

/* Reads type and dimensions from the first bytes of data. */
enum image_verdict image_inspect(const unsigned char *data, size_t len, struct image_info *out);
/* "image/jpeg", "image/png", "image/webp", or NULL for IMAGE_UNKNOWN. */
const char *image_mime(enum image_type t);
/* The type a Content-Type names (parameters ignored, case-insensitive), or IMAGE_UNKNOWN. */
enum image_type image_type_from_mime(const char *content_type);

#endif
