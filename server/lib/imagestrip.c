/*
 * imagestrip: decode and encode again, so that only pixels remain (see imagestrip.h).
 * Every format is read by its reference library; this file parses none of them itself.
 * Pixel buffers (up to 50 megapixels, 150 MB as RGB) come from malloc and a failure is a
 * verdict, not an abort: a large upload must not take the server down with it.
 */
#include "lib/imagestrip.h"

#include <libexif/exif-data.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Quality of a lossy picture encoded again; the second when the first comes out larger
 * than the limit (a picture uploaded at a low quality can grow at a higher one). */
#define STRIP_QUALITY 88
#define STRIP_QUALITY_SMALLER 72

static bool dims_ok(uint64_t w, uint64_t h)
{
    return w > 0 && h > 0 && w <= IMAGE_MAX_SIDE && h <= IMAGE_MAX_SIDE && w * h <= IMAGE_MAX_PIXELS;
}

/* Takes a copy of an encoder's output into out (so that the caller frees every result
 * with free), or refuses it when it exceeds max_out. */
static enum strip_verdict keep(const unsigned char *enc, size_t n, size_t max_out, struct stripped *out)
{
    if (n == 0)
        return STRIP_UNDECODABLE;
    if (n > max_out)
        return STRIP_OUT_TOO_BIG;
    out->bytes = malloc(n);
    if (!out->bytes)
        return STRIP_NO_MEMORY;
    memcpy(out->bytes, enc, n);
    out->len = n;
    return STRIP_OK;
}

/* --- orientation --- */

/* The EXIF Orientation (1..8) of a JPEG's first image directory, 1 when there is none or
 * it is out of range. libexif finds the APP1 segment in the JPEG's bytes itself. */
static int exif_orientation(const unsigned char *data, size_t len)
{
    if (len > UINT32_MAX)
        return 1;
    ExifData *ed = exif_data_new_from_data(data, (unsigned int)len);
    if (!ed)
        return 1;
    int o = 1;
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data && e->size >= 2) {
        ExifShort v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            o = v;
    }
    exif_data_unref(ed);
    return o;
}

/* The pixels of a w x h picture of bpp bytes a pixel, turned as EXIF orientation o says
 * (2 mirrored, 3 upside down, 4 flipped, 5 transposed, 6 turned a quarter clockwise, 7
 * transversed, 8 a quarter anticlockwise) into a new buffer; *nw x *nh are its sides.
 * NULL when out of memory. */
static unsigned char *orient(const unsigned char *src, uint32_t w, uint32_t h, size_t bpp, int o, uint32_t *nw,
                             uint32_t *nh)
{
    bool swap = o >= 5;
    *nw = swap ? h : w;
    *nh = swap ? w : h;
    unsigned char *dst = malloc((size_t)w * h * bpp);
    if (!dst)
        return NULL;
    for (uint32_t y = 0; y < *nh; y++) {
        unsigned char *row = dst + (size_t)y * *nw * bpp;
        for (uint32_t x = 0; x < *nw; x++) {
            uint32_t sx, sy;
            switch (o) {
            case 2: sx = w - 1 - x; sy = y; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sx = x; sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            case 8: sx = w - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
            memcpy(row + (size_t)x * bpp, src + ((size_t)sy * w + sx) * bpp, bpp);
        }
    }
    return dst;
}

/* --- JPEG: libjpeg-turbo --- */

static enum strip_verdict jpeg_encode(tjhandle c, const unsigned char *px, uint32_t w, uint32_t h, int pf, int samp,
                                      int quality, size_t max_out, struct stripped *out)
{
    unsigned char *enc = NULL;
    unsigned long n = 0;
    /* tjCompress2 writes SOI, a plain JFIF APP0, tables, the frame and the scan: no
     * marker of the original survives */
    if (tjCompress2(c, px, (int)w, 0, (int)h, pf, &enc, &n, samp, quality, TJFLAG_ACCURATEDCT) != 0) {
        tjFree(enc);
        return STRIP_UNDECODABLE;
    }
    enum strip_verdict v = keep(enc, n, max_out, out);
    tjFree(enc);
    return v;
}

static enum strip_verdict jpeg(const unsigned char *data, size_t len, size_t max_out, struct stripped *out)
{
    enum strip_verdict v = STRIP_UNDECODABLE;
    unsigned char *px = NULL;
    tjhandle c = NULL;
    tjhandle d = tjInitDecompress();
    if (!d)
        return STRIP_NO_MEMORY;
    int w, h, samp, cs;
    if (len > ULONG_MAX || tjDecompressHeader3(d, data, (unsigned long)len, &w, &h, &samp, &cs) != 0)
        goto done;
    if (w <= 0 || h <= 0 || !dims_ok((uint64_t)w, (uint64_t)h)) {
        v = STRIP_TOO_LARGE;
        goto done;
    }
    int pf = cs == TJCS_GRAY ? TJPF_GRAY : (cs == TJCS_CMYK || cs == TJCS_YCCK) ? TJPF_CMYK : TJPF_RGB;
    size_t bpp = (size_t)tjPixelSize[pf];
    px = malloc((size_t)w * (size_t)h * bpp);
    if (!px) {
        v = STRIP_NO_MEMORY;
        goto done;
    }
    /* a warning (data cut short, a corrupt scan) is an error here: libjpeg would otherwise
     * fill the rest with grey and call it a picture; progressive scans are limited so that
     * a small file cannot keep a worker busy for minutes */
    if (tjDecompress2(d, data, (unsigned long)len, px, w, 0, h, pf, TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0)
        goto done;
    out->orientation = exif_orientation(data, len);
    uint32_t nw = (uint32_t)w, nh = (uint32_t)h;
    if (out->orientation != 1) {
        unsigned char *turned = orient(px, (uint32_t)w, (uint32_t)h, bpp, out->orientation, &nw, &nh);
        if (!turned) {
            v = STRIP_NO_MEMORY;
            goto done;
        }
        free(px);
        px = turned;
    }
    c = tjInitCompress();
    if (!c) {
        v = STRIP_NO_MEMORY;
        goto done;
    }
    /* grey stays grey; full-resolution colour stays so; anything else is 4:2:0, which is
     * what cameras write (and what a turned 4:2:2 would no longer be) */
    int osamp = pf == TJPF_GRAY ? TJSAMP_GRAY : samp == TJSAMP_444 ? TJSAMP_444 : TJSAMP_420;
    v = jpeg_encode(c, px, nw, nh, pf, osamp, STRIP_QUALITY, max_out, out);
    if (v == STRIP_OUT_TOO_BIG)
        v = jpeg_encode(c, px, nw, nh, pf, osamp, STRIP_QUALITY_SMALLER, max_out, out);
    out->width = nw;
    out->height = nh;
done:
    free(px);
    if (c)
        tjDestroy(c);
    tjDestroy(d);
    return v;
}

/* --- PNG: libpng's simplified API --- */

static enum strip_verdict png(const unsigned char *data, size_t len, size_t max_out, struct stripped *out)
{
    enum strip_verdict v = STRIP_UNDECODABLE;
    unsigned char *px = NULL, *enc = NULL;
    png_image in;
    memset(&in, 0, sizeof in);
    in.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&in, data, len))
        goto done;
    if (!dims_ok(in.width, in.height)) {
        v = STRIP_TOO_LARGE;
        goto done;
    }
    /* 8-bit sRGB samples, grey or colour, with alpha when the picture has any (a palette's
     * transparency included); a palette is expanded */
    in.format = (in.format & PNG_FORMAT_FLAG_COLOR ? PNG_FORMAT_FLAG_COLOR : 0) |
                (in.format & PNG_FORMAT_FLAG_ALPHA ? PNG_FORMAT_FLAG_ALPHA : 0);
    px = malloc(PNG_IMAGE_SIZE(in));
    if (!px) {
        v = STRIP_NO_MEMORY;
        goto done;
    }
    if (!png_image_finish_read(&in, NULL, px, 0, NULL))
        goto done;
    png_image wr;
    memset(&wr, 0, sizeof wr);
    wr.version = PNG_IMAGE_VERSION;
    wr.width = in.width;
    wr.height = in.height;
    wr.format = in.format;
    /* the simplified writer writes the image chunks only: no text, eXIf, iCCP or time */
    png_alloc_size_t n = 0;
    if (!png_image_write_get_memory_size(wr, n, 0, px, 0, NULL))
        goto done;
    if (n > max_out) {
        v = STRIP_OUT_TOO_BIG;
        goto done;
    }
    enc = malloc(n ? n : 1);
    if (!enc) {
        v = STRIP_NO_MEMORY;
        goto done;
    }
    if (!png_image_write_to_memory(&wr, enc, &n, 0, px, 0, NULL))
        goto done;
    v = keep(enc, n, max_out, out);
    out->width = in.width;
    out->height = in.height;
    out->orientation = 1;
done:
    png_image_free(&in);
    free(px);
    free(enc);
    return v;
}

/* --- WebP: libwebp, through libwebpdemux's animation decoder --- */

static enum strip_verdict webp(const unsigned char *data, size_t len, size_t max_out, struct stripped *out)
{
    enum strip_verdict v = STRIP_UNDECODABLE;
    WebPAnimDecoder *dec = NULL;
    uint8_t *enc = NULL;
    WebPBitstreamFeatures f;
    if (WebPGetFeatures(data, len, &f) != VP8_STATUS_OK)
        return STRIP_UNDECODABLE;
    if (!dims_ok((uint64_t)(f.width > 0 ? f.width : 0), (uint64_t)(f.height > 0 ? f.height : 0)))
        return STRIP_TOO_LARGE;
    /* the animation decoder reads a still picture as one frame and an animation's canvas
     * the same way; it refuses a file cut short (the demuxer wants the whole file) */
    WebPAnimDecoderOptions opt;
    if (!WebPAnimDecoderOptionsInit(&opt))
        return STRIP_NO_MEMORY;
    opt.color_mode = MODE_RGBA;
    opt.use_threads = 0;
    WebPData wd = {data, len};
    dec = WebPAnimDecoderNew(&wd, &opt);
    if (!dec)
        goto done;
    WebPAnimInfo info;
    if (!WebPAnimDecoderGetInfo(dec, &info))
        goto done;
    if (!dims_ok(info.canvas_width, info.canvas_height)) {
        v = STRIP_TOO_LARGE;
        goto done;
    }
    uint8_t *px;
    int ts;
    if (!WebPAnimDecoderGetNext(dec, &px, &ts))
        goto done;
    int w = (int)info.canvas_width, h = (int)info.canvas_height;
    /* a lossless picture stays lossless (a drawing, a screenshot); an opaque one gets no
     * alpha channel, as the encoder sees that every alpha is 255 */
    size_t n;
    if (f.format == 2)
        n = WebPEncodeLosslessRGBA(px, w, h, w * 4, &enc);
    else
        n = WebPEncodeRGBA(px, w, h, w * 4, STRIP_QUALITY, &enc);
    v = keep(enc, n, max_out, out);
    if (v == STRIP_OUT_TOO_BIG && f.format != 2) {
        WebPFree(enc);
        enc = NULL;
        n = WebPEncodeRGBA(px, w, h, w * 4, STRIP_QUALITY_SMALLER, &enc);
        v = keep(enc, n, max_out, out);
    }
    out->width = info.canvas_width;
    out->height = info.canvas_height;
    out->orientation = 1;
done:
    WebPFree(enc);
    WebPAnimDecoderDelete(dec);
    return v;
}

enum strip_verdict image_strip(const unsigned char *data, size_t len, enum image_type type, size_t max_out,
                               struct stripped *out)
{
    memset(out, 0, sizeof *out);
    enum strip_verdict v = STRIP_UNDECODABLE;
    switch (type) {
    case IMAGE_JPEG: v = jpeg(data, len, max_out, out); break;
    case IMAGE_PNG: v = png(data, len, max_out, out); break;
    case IMAGE_WEBP: v = webp(data, len, max_out, out); break;
    case IMAGE_UNKNOWN: break;
    }
    if (v != STRIP_OK)
        image_stripped_free(out);
    return v;
}

void image_stripped_free(struct stripped *out)
{
    if (!out)
        return;
    free(out->bytes);
    memset(out, 0, sizeof *out);
}
