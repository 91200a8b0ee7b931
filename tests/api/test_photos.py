"""Ideas with photos and places: citizens submit (cost optional), edit until review and read
the reason; photos are checked by their bytes, limited in size, pixels and number (under 50
parallel uploads), decoded and encoded again without metadata (EXIF, GPS, XMP, text chunks)
and turned upright by their EXIF Orientation, stored in PostgreSQL and served with their
type, ETag and a long cache lifetime; bad uploads store nothing."""
import concurrent.futures as cf
import hashlib
import http.client
import socket
import struct
import zlib

import photo_samples

# a real 16 x 8 baseline JPEG (libjpeg, quality 50)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f1a1a2f634238426363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363ffc00011080008001003012200021101031101ffc400160001010100000000000000000000000000000405ffc4001810000203000000000000000000000000000004052231ffc4001501010100000000000000000000000000000304ffc400191100020301000000000000000000000000000304052151ffda000c03010002110311003f0081782ca1a6bc165000db259d27af96dcd3ffd9")


def png(w, h, pixels=True):
    """A real RGB PNG of w x h (grey); with pixels=False only the header: a bomb's shape."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    body = zlib.compress(b"".join(b"\0" + b"\x80" * 3 * w for _ in range(h))) if pixels else zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + ihdr + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload(s, pid, data, ctype, token):
    return s.request("POST", f"/api/v1/proposals/{pid}/photos", raw=data, token=token,
                     headers={"Content-Type": ctype} if ctype else {})


def fetch(s, path, headers=None):
    """GET with the body as bytes (the client's Response decodes text)."""
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def idea(ctx, codes=2, **extra):
    e = ctx.election(phase="proposals", codes=codes, **extra)
    eid, d = e["id"], e["districts"][0]
    vt = ctx.voter(eid, e["codes"][d][0])
    r = ctx.server.post(f"/api/v1/elections/{eid}/proposals",
                        {"district_id": d, "title": {"da": "Bænk ved søen"}, "description": {"da": "En bænk."},
                         "location": {"lat": 55.7, "lng": 11.7, "address": "Søvej 1"}}, token=vt)
    assert r.status == 201, r
    return e, vt, r.json["id"]


def photo_count(ctx, pid):
    return int(ctx.env.psql(f"SELECT count(*) FROM photos WHERE proposal_id = {pid}"))


def test_idea_without_cost_is_edited_by_its_author_until_review(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    eid, d = e["id"], e["districts"][0]
    other = ctx.voter(eid, e["codes"][d][1])
    mine = s.get(f"/api/v1/elections/{eid}/my-proposals", token=vt).json["proposals"]
    assert mine[0]["cost"] is None and mine[0]["status"] == "submitted" and mine[0]["photos"] == [], mine
    assert mine[0]["location"] == {"lat": 55.7, "lng": 11.7, "address": "Søvej 1"}
    r = s.patch(f"/api/v1/proposals/{pid}", {"title": {"da": "To bænke"}, "cost": 12000,
                                             "location": {"lat": 55.71, "lng": 11.72, "address": "Søvej 3"}}, token=vt)
    assert r.status == 200 and r.json["title"]["da"] == "To bænke" and r.json["cost"] == 12000, r
    r = s.patch(f"/api/v1/proposals/{pid}", {"cost": None}, token=vt)
    assert r.status == 200 and r.json["cost"] is None, r
    # only the author; never the moderator's fields
    assert s.patch(f"/api/v1/proposals/{pid}", {"title": "mine now"}, token=other).status == 404
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "accepted"}, token=vt)
    assert r.status == 422 and r.code == "unknown_field", r
    for bad in ({"lat": 91, "lng": 0}, {"lat": 0, "lng": 181}, {"lat": "55", "lng": 11}, {"lat": 55}):
        r = s.patch(f"/api/v1/proposals/{pid}", {"location": bad}, token=vt)
        assert r.status == 422 and r.json["error"]["field"] == "location", (bad, r)
    # staff cannot accept an idea without a real cost
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "accepted"}, token=e["token"])
    assert r.status == 422, r
    r = s.patch(f"/api/v1/proposals/{pid}", {"status": "rejected", "reason": "Kommunen gør det allerede."},
                token=e["token"])
    assert r.status == 200, r
    r = s.patch(f"/api/v1/proposals/{pid}", {"title": "too late"}, token=vt)
    assert r.status == 409, r
    mine = s.get(f"/api/v1/elections/{eid}/my-proposals", token=vt).json["proposals"]
    assert mine[0]["status"] == "rejected" and mine[0]["reason"] == "Kommunen gør det allerede."


def test_photos_are_stored_and_served_with_type_etag_and_long_cache(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    data = png(40, 30)
    r = upload(s, pid, data, "image/png", vt)
    assert r.status == 201 and r.json["url"] == f"/api/v1/photos/{r.json['id']}", r
    assert r.json["width"] == 40 and r.json["height"] == 30 and r.json["content_type"] == "image/png"
    first = r.json
    # staff attach photos the same way, here a JPEG
    r = upload(s, pid, JPEG, "image/jpeg", e["token"])
    assert r.status == 201 and r.json["width"] == 16 and r.json["height"] == 8, r
    status, h, body = fetch(s, first["url"])
    # encoded again (without metadata): another file, the same picture
    assert status == 200 and body.startswith(b"\x89PNG") and photo_samples.read(body)["size"] == [40, 30], status
    assert h["content-type"] == "image/png" and h["x-content-type-options"] == "nosniff"
    assert "immutable" in h["cache-control"] and "max-age=31536000" in h["cache-control"]
    assert h["etag"] == '"' + hashlib.sha256(body).hexdigest() + '"'
    status, h2, body = fetch(s, first["url"], {"If-None-Match": h["etag"]})
    assert status == 304 and body == b"" and h2["etag"] == h["etag"]
    status, _, body = fetch(s, r.json["url"])
    assert status == 200 and body.startswith(b"\xff\xd8") and photo_samples.read(body)["size"] == [16, 8]
    mine = s.get(f"/api/v1/elections/{e['id']}/my-proposals", token=vt).json["proposals"][0]
    assert [p["id"] for p in mine["photos"]] == [first["id"], r.json["id"]] and mine["image_url"] == first["url"]
    # deleting the first moves the picture to the next
    assert s.request("DELETE", f"/api/v1/proposals/{pid}/photos/{first['id']}", token=vt).status == 204
    mine = s.get(f"/api/v1/elections/{e['id']}/my-proposals", token=vt).json["proposals"][0]
    assert mine["image_url"] == r.json["url"] and len(mine["photos"]) == 1
    assert s.get(first["url"]).status == 404
    assert s.get("/api/v1/photos/12345").status == 404


def test_bad_uploads_are_refused_and_store_nothing(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    cases = [
        (pdf, "image/jpeg", 422, "invalid_image"),              # a PDF named .jpg
        (b"", "image/jpeg", 422, "invalid_image"),              # 0 bytes
        (pdf, "application/pdf", 415, "unsupported_media_type"),
        (JPEG, None, 415, "unsupported_media_type"),
        (png(40, 30), "image/jpeg", 422, "invalid_image"),      # the bytes decide, not the header
        (png(100000, 100000, pixels=False), "image/png", 422, "image_dimensions"),  # a decompression bomb
        (JPEG[:40], "image/jpeg", 422, "invalid_image"),        # cut short before its size
        (b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), "image/jpeg", 413, "payload_too_large"),
    ]
    for data, ctype, status, code in cases:
        r = upload(s, pid, data, ctype, vt)
        assert r.status == status and r.code == code, (ctype, len(data), r)
        assert r.header("Content-Type").startswith("application/json")
    # 50 MB: refused from its Content-Length, before the body is read
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    try:
        sock.sendall(f"POST /api/v1/proposals/{pid}/photos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {vt}\r\n"
                     f"Content-Type: image/jpeg\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n".encode()
                     + JPEG)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
    finally:
        sock.close()
    assert got.startswith(b"HTTP/1.1 413"), got[:200]
    assert photo_count(ctx, pid) == 0


def test_at_most_three_photos_under_fifty_parallel_uploads(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    with cf.ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda i: upload(s, pid, png(8 + i, 8), "image/png", vt), range(50)))
    created = [a for a in answers if a.status == 201]
    assert len(created) == 3, sorted(a.status for a in answers)
    assert all(a.status == 409 and a.code == "too_many_photos" for a in answers if a.status != 201)
    assert photo_count(ctx, pid) == 3


def leaks(body):
    return [m for m in photo_samples.LEAKS + [b"EXIF"] if m in body]


def test_metadata_is_stripped_and_the_orientation_applied(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    jpeg = photo_samples.make("jpeg_exif")
    assert leaks(jpeg), "the sample should carry metadata"
    r = upload(s, pid, jpeg, "image/jpeg", vt)
    # stored 48 x 24 with Orientation 6: upright it is 24 x 48
    assert r.status == 201 and (r.json["width"], r.json["height"]) == (24, 48), r
    status, h, body = fetch(s, r.json["url"])
    assert status == 200 and h["content-type"] == "image/jpeg" and not leaks(body), leaks(body)
    got = photo_samples.read(body)
    assert got["format"] == "JPEG" and got["size"] == [24, 48] and got["exif"] == 0, got
    assert "comment" not in got["info"] and "exif" not in got["info"], got
    # the left (red) half of the stored picture is the top once turned a quarter clockwise
    assert got["top"][0] > 200 and got["top"][2] < 60 and got["bottom"][2] > 200 and got["bottom"][0] < 60, got
    assert h["etag"] == '"' + hashlib.sha256(body).hexdigest() + '"'
    for kind, ctype, fmt in (("png_meta", "image/png", "PNG"), ("webp_meta", "image/webp", "WEBP")):
        data = photo_samples.make(kind)
        assert leaks(data), kind
        r = upload(s, pid, data, ctype, e["token"])  # staff, the same way
        assert r.status == 201 and (r.json["width"], r.json["height"]) == (30, 20), (kind, r)
        status, h, body = fetch(s, r.json["url"])
        assert status == 200 and h["content-type"] == ctype and not leaks(body), (kind, leaks(body))
        got = photo_samples.read(body)
        assert got["format"] == fmt and got["size"] == [30, 20] and got["exif"] == 0 and got["info"] == [], got
    # nothing in the database either
    stored = ctx.env.psql(f"SELECT string_agg(encode(bytes, 'hex'), '') FROM photos WHERE proposal_id = {pid}")
    assert not leaks(bytes.fromhex(stored))
    assert ctx.env.psql(f"SELECT bool_and(stripped) FROM photos WHERE proposal_id = {pid}") == "t"


def test_undecodable_pictures_are_refused_and_store_nothing(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    big = photo_samples.make("jpeg_big")
    for cut in (big[:len(big) // 2], big[:-200], big[:len(big) // 2] + b"\xff\xd9"):
        # the header is whole (imagehdr reads the size), the scan is not
        r = upload(s, pid, cut, "image/jpeg", vt)
        assert r.status == 422 and r.code == "image_undecodable" and r.json["error"]["field"] == "body", r
    webp = photo_samples.make("webp_meta")
    png_ = photo_samples.make("png_meta")
    for data, ctype in ((webp[:len(webp) - 40], "image/webp"), (png_[:len(png_) - 30], "image/png"),
                        (png(40, 30)[:60], "image/png")):
        r = upload(s, pid, data, ctype, vt)
        assert r.status == 422 and r.code == "image_undecodable", (ctype, r)
    assert photo_count(ctx, pid) == 0
    # the whole file is taken
    assert upload(s, pid, big, "image/jpeg", vt).status == 201


def test_at_most_three_stripped_photos_under_twenty_parallel_uploads(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    jpeg = photo_samples.make("jpeg_exif")
    with cf.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: upload(s, pid, jpeg, "image/jpeg", vt if i % 2 else e["token"]),
                                range(20)))
    created = [a for a in answers if a.status == 201]
    assert len(created) == 3, sorted(a.status for a in answers)
    assert all(a.status == 409 and a.code == "too_many_photos" for a in answers if a.status != 201)
    assert photo_count(ctx, pid) == 3
    for a in created:
        status, _, body = fetch(s, a.json["url"])
        assert status == 200 and not leaks(body)


def test_photos_stored_before_stripping_are_stripped_when_first_served(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    jpeg = photo_samples.make("jpeg_exif")
    # as the server before 0080 stored it: the upload's own bytes
    ctx.env.psql(f"INSERT INTO photos (id, proposal_id, content_type, width, height, sha256, bytes, voter_id)"
                 f" SELECT 987654321, {pid}, 'image/jpeg', 48, 24, sha256(b), b, author_voter_id"
                 f" FROM proposals, decode('{jpeg.hex()}', 'hex') AS b WHERE id = {pid}")
    old_etag = '"' + hashlib.sha256(jpeg).hexdigest() + '"'
    # a client holding the old bytes gets the new ones, not a 304
    status, h, body = fetch(s, "/api/v1/photos/987654321", {"If-None-Match": old_etag})
    assert status == 200 and not leaks(body) and h["etag"] == '"' + hashlib.sha256(body).hexdigest() + '"', status
    assert photo_samples.read(body)["size"] == [24, 48]
    row = ctx.env.psql("SELECT stripped, width, height, encode(sha256, 'hex') FROM photos WHERE id = 987654321")
    assert row == f"t|24|48|{hashlib.sha256(body).hexdigest()}", row
    status, _, again = fetch(s, "/api/v1/photos/987654321")
    assert status == 200 and again == body
    status, _, _ = fetch(s, "/api/v1/photos/987654321", {"If-None-Match": h["etag"]})
    assert status == 304
    # one that cannot be decoded any more is not served as it was stored
    cut = photo_samples.make("jpeg_big")
    cut = cut[:len(cut) // 2]
    ctx.env.psql(f"INSERT INTO photos (id, proposal_id, content_type, width, height, sha256, bytes, voter_id)"
                 f" SELECT 987654322, {pid}, 'image/jpeg', 256, 256, sha256(b), b, author_voter_id"
                 f" FROM proposals, decode('{cut.hex()}', 'hex') AS b WHERE id = {pid}")
    status, _, body = fetch(s, "/api/v1/photos/987654322")
    assert status == 404 and b"Exif" not in body, status


def test_who_may_add_photos(ctx):
    s = ctx.server
    e, vt, pid = idea(ctx)
    other = ctx.voter(e["id"], e["codes"][e["districts"][0]][1])
    assert upload(s, pid, JPEG, "image/jpeg", None).status == 401
    assert upload(s, pid, JPEG, "image/jpeg", other).status == 404
    assert s.patch(f"/api/v1/proposals/{pid}", {"status": "rejected", "reason": "Nej."}, token=e["token"]).status == 200
    r = upload(s, pid, JPEG, "image/jpeg", vt)
    assert r.status == 409 and r.code == "wrong_phase", r
    assert photo_count(ctx, pid) == 0


def test_map_tiles_setting_reaches_pages_and_csp(ctx):
    s = ctx.server
    r = s.get("/api/v1/config")
    assert r.status == 200 and r.json["map"]["tiles"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png", r
    assert "OpenStreetMap" in r.json["map"]["attribution"]
    csp = s.get("/").header("Content-Security-Policy")
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp, csp
    other = ctx.env.server({"PB_MAP_TILES": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"})
    assert other.get("/api/v1/config").json["map"]["tiles"] == "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    csp = other.get("/").header("Content-Security-Policy")
    assert "img-src 'self' data: http://127.0.0.1:9;" in csp and "openstreetmap" not in csp, csp
    other.stop()
