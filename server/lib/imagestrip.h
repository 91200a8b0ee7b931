/*
 * imagestrip: a picture without its metadata. Decodes a JPEG, PNG or WebP with its own
 * library (libjpeg-turbo, libpng, libwebp with libwebpdemux) and encodes the pixels again,
 * so that nothing but pixels survives: no EXIF (a phone's GPS position, the camera's
 * serial number), XMP, comments, ICC profiles or text chunks. A JPEG's EXIF Orientation
 * (read with libexif) is applied to the pixels first, so that a photo taken with the phone
 * upright is not shown sideways once the tag is gone. The first frame of an animated WebP
 * is kept.
 *
 * It decodes pixels, so it is CPU and memory work for a worker thread, never the event
 * loop; it touches no global state and is safe on several threads at once. The caller
 * checks the header (lib/imagehdr) first; the decoder's own idea of the dimensions is held
 * to the same limits again before any pixel buffer is allocated. Pure: no I/O.
 */
#ifndef PB_IMAGESTRIP_H
#define PB_IMAGESTRIP_H

#include "lib/imagehdr.h"

#include <stddef.h>
#include <stdint.h>

enum strip_verdict {
    STRIP_OK,
    STRIP_UNDECODABLE, /* the decoder refused it: damaged, cut short, or an unsupported variant */
    STRIP_TOO_LARGE,   /* the decoder reads dimensions beyond IMAGE_MAX_SIDE / IMAGE_MAX_PIXELS */
    STRIP_OUT_TOO_BIG, /* encoded again it is larger than the caller's max_out */
    STRIP_NO_MEMORY,   /* the pixel buffer could not be allocated (try again later) */
};

struct stripped {
    unsigned char *bytes; /* malloc'd; the caller frees it (image_stripped_free) */
    size_t len;
    uint32_t width, height; /* after the orientation was applied */
    int orientation;        /* the EXIF Orientation that was applied (1 when none) */
};

/* Decodes data (of the given type, as imagehdr read it) and encodes it again without
 * metadata into out, of at most max_out bytes. On anything but STRIP_OK out holds
 * nothing to free. */
enum strip_verdict image_strip(const unsigned char *data, size_t len, enum image_type type, size_t max_out,
                               struct stripped *out);
/* Frees out's bytes (NULL-safe) and clears it. */
void image_stripped_free(struct stripped *out);

#endif
