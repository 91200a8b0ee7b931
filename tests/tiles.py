"""A map tile server for the browser tests, which have no internet: every GET answers one
256 x 256 PNG (a light green square), so the pages' maps load real tiles from the address
the server's --map-tiles names, and the CSP allowing exactly that host is exercised."""
import http.server
import struct
import threading
import zlib


def _png(w, h, rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


TILE = _png(256, 256, (0xDD, 0xEE, 0xDD))


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args):
        pass


class TileServer:
    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.template = f"http://127.0.0.1:{self.httpd.server_port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
