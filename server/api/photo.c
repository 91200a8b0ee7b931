/*
 * photo: pictures of proposals. Uploaded as the raw body with its Content-Type by the
 * idea's author (while it waits for review in the ideas phase) or by staff (until voting
 * opens); the bytes decide the type and size (lib/imagehdr), never the header or a name.
 * What is stored is the picture decoded and encoded again without any metadata
 * (lib/imagestrip: no EXIF with a phone's GPS position, no XMP, no comments), turned
 * upright by its EXIF Orientation. Stored in PostgreSQL, so that a backup holds them, and
 * served from this origin under a random id with a long, immutable cache lifetime and the
 * SHA-256 as ETag.
 */
#include "core/db.h"
#include "core/reply.h"
#include "api/handlers.h"
#include "lib/crypto.h"
#include "lib/imagehdr.h"
#include "lib/imagestrip.h"
#include "lib/log.h"

#include <stdlib.h>
#include <string.h>

#define PHOTO_MAX_BYTES (5u * 1024 * 1024)
/* Below this size stored bytes are unpacked from hex on the loop: a worker round trip
 * costs more. (Decoding pictures always runs on a worker: a small file may hold a large
 * picture.) */
#define PHOTO_ON_LOOP_MAX (64u * 1024)

struct upload {
    unsigned char *bytes; /* a copy of the body: the worker never reads evhttp's buffer */
    size_t len;
    enum image_type declared;
    struct image_info info;
    enum image_verdict verdict;
    enum strip_verdict strip;
    struct stripped out; /* the picture without metadata */
    char *base64;        /* out's bytes for the bytea parameter */
};

static void upload_release(void *state)
{
    struct upload *u = state;
    free(u->bytes);
    image_stripped_free(&u->out);
    free(u->base64);
}

/* On a worker: the header check first (type, and dimensions before anything decodes), then
 * decoding and encoding again. */
static void upload_work(void *job)
{
    struct upload *u = job;
    u->verdict = image_inspect(u->bytes, u->len, &u->info);
    if (u->verdict != IMAGE_OK || u->info.type != u->declared)
        return;
    u->strip = image_strip(u->bytes, u->len, u->info.type, PHOTO_MAX_BYTES, &u->out);
    if (u->strip == STRIP_OK)
        u->base64 = crypto_base64(u->out.bytes, u->out.len);
}

static struct db_stmt sql_add = DB_STMT("photo.add", 8,
    "SELECT add_photo($1, $2, $3, $4, $5, $6, $7, decode($8, 'base64'))::text");

/* Answers a picture imagestrip refused; false when it did not. */
static bool strip_refused(struct req *r, enum strip_verdict v, const struct image_info *info)
{
    switch (v) {
    case STRIP_OK:
        return false;
    case STRIP_UNDECODABLE:
        req_fail(r, ERR_IMAGE_UNDECODABLE, "body",
                 "The picture cannot be read: it is damaged, cut short or of an unusual kind.");
        break;
    case STRIP_TOO_LARGE:
        req_fail(r, ERR_IMAGE_DIMENSIONS, "body", "The picture has more than %u pixels a side or %u megapixels.",
                 IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS / 1000000);
        break;
    case STRIP_OUT_TOO_BIG:
        req_fail(r, ERR_TOO_LARGE, "body", "Without its metadata the %u x %u picture is still over 5 MB.",
                 info->width, info->height);
        break;
    case STRIP_NO_MEMORY:
        req_fail(r, ERR_UNAVAILABLE, NULL, "The server is busy; retry.");
        break;
    }
    return true;
}

static void upload_checked(struct req *r)
{
    struct upload *u = REQ_STATE(r, struct upload);
    switch (u->verdict) {
    case IMAGE_OK:
        break;
    case IMAGE_NOT_AN_IMAGE:
        req_fail(r, ERR_INVALID_IMAGE, "body", "This file is not a JPEG, PNG or WebP picture.");
        return;
    case IMAGE_TRUNCATED:
        req_fail(r, ERR_INVALID_IMAGE, "body", "The picture is damaged or cut short: its size cannot be read.");
        return;
    case IMAGE_TOO_LARGE:
        req_fail(r, ERR_IMAGE_DIMENSIONS, "body",
                 "The picture declares %u x %u pixels; at most %u pixels a side and %u megapixels are taken.",
                 u->info.width, u->info.height, IMAGE_MAX_SIDE, IMAGE_MAX_PIXELS / 1000000);
        return;
    }
    if (u->info.type != u->declared) {
        req_fail(r, ERR_INVALID_IMAGE, "body", "The picture is %s but was sent as %s.", image_mime(u->info.type),
                 image_mime(u->declared));
        return;
    }
    if (strip_refused(r, u->strip, &u->info))
        return;
    /* a random id of at most 15 digits (a path id's limit; exact as a JSON number in every
     * client): unguessable, unlike a sequence */
    uint64_t id;
    crypto_random(&id, sizeof id);
    id = id % UINT64_C(999999999999999) + 1;
    char ids[24], prop[24], who[24], w[24], h[24];
    bool voter = r->auth.kind == AUTH_VOTER;
    const char *p[8] = {i64s(ids, (int64_t)id), i64s(prop, r->ids[0]),
                        voter ? NULL : i64s(who, r->auth.staff_id), voter ? i64s(who, r->auth.voter_id) : NULL,
                        image_mime(u->info.type), i64s(w, u->out.width), i64s(h, u->out.height), u->base64};
    req_db(r, &sql_add, p, req_db_reply_created);
}

void photo_upload(struct req *r)
{
    enum image_type declared = image_type_from_mime(req_header(r, "Content-Type"));
    if (declared == IMAGE_UNKNOWN) {
        req_fail(r, ERR_UNSUPPORTED_MEDIA, NULL, "Send the photo as image/jpeg, image/png or image/webp.");
        return;
    }
    if (r->body_len == 0) {
        req_fail(r, ERR_INVALID_IMAGE, "body", "The photo is empty.");
        return;
    }
    if (r->body_len > PHOTO_MAX_BYTES) {
        req_fail(r, ERR_TOO_LARGE, "body", "A photo may be at most 5 MB.");
        return;
    }
    struct upload *u = REQ_STATE_NEW(r, struct upload, upload_release);
    u->declared = declared;
    u->len = r->body_len;
    u->bytes = xmalloc(u->len);
    memcpy(u->bytes, r->body, u->len);
    req_worker(r, upload_work, u, upload_checked);
}

static struct db_stmt sql_delete = DB_STMT("photo.delete", 4, "SELECT delete_photo($1, $2, $3, $4)");

static void photo_deleted(struct req *r, const struct db_result *res)
{
    if (req_db_ok(r, res))
        req_reply_json(r, 204, NULL);
}

void photo_delete(struct req *r)
{
    char prop[24], ph[24], who[24];
    bool voter = r->auth.kind == AUTH_VOTER;
    const char *p[4] = {i64s(prop, r->ids[0]), i64s(ph, r->ids[1]), voter ? NULL : i64s(who, r->auth.staff_id),
                        voter ? i64s(who, r->auth.voter_id) : NULL};
    req_db(r, &sql_delete, p, photo_deleted);
}

/* --- serving ---
 *
 * Photos stored before pictures were stripped (photos.stripped false, migration 0080)
 * are stripped when first served, and the result is written back. Chosen over a sweep at
 * start-up because from the first request of the new server on no photo is served with
 * its metadata, whereas a sweep leaves the photos it has not reached yet served as they
 * were; it needs no coordination between processes or servers (the write-back is
 * conditional on NOT stripped, and the encoders are deterministic, so two processes
 * racing serve the same bytes); and the work is spread over requests instead of a burst
 * at start-up. The cost: a photo nobody asks for keeps its metadata in the database (and
 * its backups) until someone does. A picture that can no longer be decoded is not served
 * at all (404), never as it was stored. Its bytes, SHA-256 and ETag change once, under the
 * same id: caches that hold the old bytes keep them (they have them already).
 */

struct serve {
    char content_type[16];
    char etag[2 * CRYPTO_SHA256_LEN + 3];
    char *hex; /* the bytes as the database sent them */
    unsigned char *bytes;
    size_t len;
    bool ok;
    bool legacy; /* stored before stripping: strip, write back, then serve */
    int64_t id;
    enum strip_verdict strip;
    struct stripped out;
    char *base64; /* out's bytes for the write-back */
    char sha[2 * CRYPTO_SHA256_LEN + 1]; /* hex of the bytes served (the ETag unquoted) */
};

static void serve_release(void *state)
{
    struct serve *s = state;
    free(s->hex);
    free(s->bytes);
    image_stripped_free(&s->out);
    free(s->base64);
}

static void serve_work(void *job)
{
    struct serve *s = job;
    s->len = strlen(s->hex) / 2;
    s->bytes = xmalloc(s->len ? s->len : 1);
    s->ok = crypto_unhex(s->hex, s->bytes, s->len);
    if (!s->ok || !s->legacy)
        return;
    struct image_info info;
    s->strip = STRIP_UNDECODABLE;
    if (image_inspect(s->bytes, s->len, &info) == IMAGE_OK &&
        info.type == image_type_from_mime(s->content_type))
        s->strip = image_strip(s->bytes, s->len, info.type, PHOTO_MAX_BYTES, &s->out);
    if (s->strip != STRIP_OK)
        return;
    s->base64 = crypto_base64(s->out.bytes, s->out.len);
    unsigned char d[CRYPTO_SHA256_LEN];
    crypto_sha256(s->out.bytes, s->out.len, d);
    crypto_hex(d, sizeof d, s->sha);
}

static void serve_bytes(struct req *r, const char *sha, const unsigned char *bytes, size_t len)
{
    struct serve *s = REQ_STATE(r, struct serve);
    snprintf(s->etag, sizeof s->etag, "\"%s\"", sha);
    /* the bytes behind an id never change (but once, when a photo stored before stripping
     * is stripped: see above) */
    req_add_header(r, "ETag", s->etag);
    req_add_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    req_add_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
    if (!bytes) {
        req_reply_bytes(r, 304, NULL, NULL, 0);
        return;
    }
    req_reply_bytes(r, 200, s->content_type, bytes, len);
}

/* $5: the SHA-256 the worker computed for the ETag, so the bytes are hashed once */
static struct db_stmt sql_strip = DB_STMT("photo.strip", 5,
    "UPDATE photos SET bytes = decode($2, 'base64'), sha256 = decode($5, 'hex'),"
    "                  width = $3, height = $4, stripped = true"
    " WHERE id = $1 AND NOT stripped");

static void legacy_written(struct req *r, const struct db_result *res)
{
    struct serve *s = REQ_STATE(r, struct serve);
    /* the stripped bytes are served even when the write-back failed: the next request
     * strips again */
    if (db_status(res) != DB_OK)
        log_warn("photo write-back failed id=%s photo=%lld sqlstate=%s", r->id, (long long)s->id,
                 db_sqlstate(res));
    serve_bytes(r, s->sha, s->out.bytes, s->out.len);
}

static void serve_decoded(struct req *r)
{
    struct serve *s = REQ_STATE(r, struct serve);
    if (!s->ok) {
        req_fail(r, ERR_INTERNAL, NULL, NULL);
        return;
    }
    if (!s->legacy) {
        serve_bytes(r, s->sha, s->bytes, s->len);
        return;
    }
    if (s->strip != STRIP_OK) {
        log_warn("photo stored before stripping cannot be stripped id=%s photo=%lld verdict=%d", r->id,
                 (long long)s->id, (int)s->strip);
        if (s->strip == STRIP_NO_MEMORY)
            req_fail(r, ERR_UNAVAILABLE, NULL, "The server is busy; retry.");
        else
            req_fail(r, ERR_NOT_FOUND, NULL, "This photo cannot be shown.");
        return;
    }
    char id[24], w[24], h[24];
    const char *p[5] = {i64s(id, s->id), s->base64, i64s(w, s->out.width), i64s(h, s->out.height), s->sha};
    req_db(r, &sql_strip, p, legacy_written);
}

/* $2: the hash the client holds (If-None-Match); then no bytes are read, unless the photo
 * still has to be stripped. */
static struct db_stmt sql_get = DB_STMT_READ("photo.get", 2,
    "SELECT content_type, encode(sha256, 'hex'),"
    "       CASE WHEN stripped AND encode(sha256, 'hex') = $2 THEN NULL ELSE encode(bytes, 'hex') END,"
    "       stripped"
    "  FROM photos WHERE id = $1");

static void photo_read(struct req *r, const struct db_result *res)
{
    if (!req_db_ok(r, res))
        return;
    if (db_nrows(res) != 1) {
        req_fail(r, ERR_NOT_FOUND, NULL, "No such photo.");
        return;
    }
    struct serve *s = REQ_STATE_NEW(r, struct serve, serve_release);
    snprintf(s->content_type, sizeof s->content_type, "%s", db_value(res, 0, 0));
    snprintf(s->sha, sizeof s->sha, "%s", db_value(res, 0, 1));
    s->legacy = !db_bool(res, 0, 3);
    s->id = r->ids[0];
    const char *hex = db_value(res, 0, 2);
    if (!hex) {
        serve_bytes(r, s->sha, NULL, 0);
        return;
    }
    s->hex = xstrdup(hex);
    if (!s->legacy && strlen(hex) / 2 <= PHOTO_ON_LOOP_MAX) {
        serve_work(s);
        serve_decoded(r);
    } else {
        req_worker(r, serve_work, s, serve_decoded);
    }
}

void photo_get(struct req *r)
{
    /* If-None-Match: "<hex>" (or W/"<hex>", or a list: only an exact single tag counts) */
    const char *inm = req_header(r, "If-None-Match");
    char have[2 * CRYPTO_SHA256_LEN + 1] = "";
    if (inm) {
        if (strncmp(inm, "W/", 2) == 0)
            inm += 2;
        size_t n = strlen(inm);
        if (n == sizeof have + 1 && inm[0] == '"' && inm[n - 1] == '"')
            memcpy(have, inm + 1, sizeof have - 1);
    }
    char id[24];
    const char *p[2] = {i64s(id, r->ids[0]), have};
    req_db(r, &sql_get, p, photo_read);
}
