"""Pictures with the metadata a phone writes (EXIF with a GPS position and a camera serial,
XMP, comments, PNG text chunks), made with Pillow, and a reader that says what a served
picture holds. Pillow is Debian's python3-pil (scripts/deps.sh); when the python running
the tests lacks it (a pyenv python, say), this file runs itself under /usr/bin/python3 and
the bytes travel as hex over a pipe.

make(kind) -> bytes; read(data) -> {"format", "size", "exif", "info", "top", "bottom"}.
Not a test module (its name does not start with test_)."""
import io
import json
import os
import subprocess
import sys

SYSTEM_PYTHON = "/usr/bin/python3"
GPS_TEXT = "Søvej 1, GPS 55.4034N"
SERIAL = "SN-0042-7731"
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="55,24.2N"/></rdf:RDF>'
       b'</x:xmpmeta><?xpacket end="w"?>')
# what must never be in a served picture
LEAKS = [b"Exif", b"GPS", b"xmpmeta", b"ns.adobe.com", b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"XMP ",
         SERIAL.encode(), b"Phone maker", b"secret"]


def _exif(orientation=None):
    from PIL import Image
    ex = Image.Exif()
    ex[0x010F] = "Phone maker"      # Make
    ex[0x0110] = "Phone 12"         # Model
    ex[0x0131] = "secret firmware"  # Software
    if orientation:
        ex[0x0112] = orientation
    ex[0x8769] = {0xA431: SERIAL}   # Exif IFD: BodySerialNumber
    ex[0x8825] = {1: "N", 2: (55.0, 24.0, 12.5), 3: "E", 4: (11.0, 41.0, 3.25)}  # GPS IFD
    return ex.tobytes()


def _halves(w, h):
    """Left half red, right half blue: where red ends up tells how the picture was turned."""
    from PIL import Image
    im = Image.new("RGB", (w, h), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, w // 2, h))
    return im


def _make(kind):
    from PIL import Image, PngImagePlugin
    b = io.BytesIO()
    if kind == "jpeg_exif":
        # 48 x 24 as stored, Orientation 6 (turn a quarter clockwise to show): 24 x 48 upright
        _halves(48, 24).save(b, "JPEG", quality=95, exif=_exif(6), comment=b"secret comment")
        data = b.getvalue()
        # an XMP APP1 segment after SOI (Pillow 9 writes none for JPEG)
        payload = b"http://ns.adobe.com/xap/1.0/\0" + XMP
        return data[:2] + b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload + data[2:]
    if kind == "jpeg_big":
        # noise compresses badly: a cut leaves the header whole and the scan short
        im = Image.frombytes("RGB", (256, 256), os.urandom(256 * 256 * 3))
        im.save(b, "JPEG", quality=90, exif=_exif(1))
        return b.getvalue()
    if kind == "png_meta":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "secret " + GPS_TEXT)
        info.add_text("Author", "secret author", zip=True)
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        _halves(30, 20).save(b, "PNG", pnginfo=info, exif=_exif(1))
        return b.getvalue()
    if kind == "webp_meta":
        _halves(30, 20).save(b, "WEBP", quality=90, exif=_exif(1), xmp=XMP)
        return b.getvalue()
    raise ValueError(kind)


def _read(data):
    from PIL import Image
    im = Image.open(io.BytesIO(data))
    im.load()
    w, h = im.size
    rgb = im.convert("RGB")
    return {"format": im.format, "size": [w, h], "exif": len(im.getexif()),
            "info": sorted(k for k in im.info if k not in ("jfif", "jfif_version", "jfif_unit", "jfif_density",
                                                            "dpi", "loop", "background", "duration",
                                                            "progressive", "progression", "transparency",
                                                            "gamma", "srgb", "timestamp")),
            "top": list(rgb.getpixel((w // 2, h // 4))), "bottom": list(rgb.getpixel((w // 2, 3 * h // 4)))}


def _have_pillow():
    try:
        import PIL  # noqa: F401
        return True
    except ImportError:
        return False


def _call(op, arg):
    if _have_pillow():
        return _make(arg) if op == "make" else _read(bytes.fromhex(arg))
    r = subprocess.run([SYSTEM_PYTHON, os.path.abspath(__file__), op], input=arg if op == "make" else arg,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"{SYSTEM_PYTHON} {__file__} {op}: {r.stderr} (python3-pil, scripts/deps.sh)")
    out = json.loads(r.stdout)
    return bytes.fromhex(out) if op == "make" else out


def make(kind):
    return _call("make", kind)


def read(data):
    return _call("read", data.hex())


if __name__ == "__main__":
    arg = sys.stdin.read()
    if sys.argv[1] == "make":
        print(json.dumps(_make(arg).hex()))
    else:
        print(json.dumps(_read(bytes.fromhex(arg))))
