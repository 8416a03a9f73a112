"""Small HTTP servers on 127.0.0.1 for the local stack and its tests: served on a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase

# The listen backlog: http.server's default (5) resets connections as soon as a few dozen clients connect at once.
LISTEN_BACKLOG = 512
# A chunked body larger than this is not read (the gateway answers 413; API Gateway's own limit is 10 MB).
MAX_CHUNKED_BYTES = 10 * 1024 * 1024


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog for bursts of parallel clients, one daemon thread each."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


class BodyError(ValueError):
    """A request body that cannot be read: (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(headers: object, rfile: BufferedIOBase, limit: int = MAX_CHUNKED_BYTES) -> bytes:
    """The request body: `Content-Length` bytes, or every chunk of a `Transfer-Encoding: chunked` body (read
    to its end, so its chunks are never taken for a second request on the same connection)."""
    get = headers.get  # type: ignore[attr-defined]
    if "chunked" in str(get("Transfer-Encoding") or "").lower():
        body = bytearray()
        while True:
            size_line = rfile.readline(1024)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError as error:
                raise BodyError(400, "malformed chunked body: a chunk size is not hexadecimal") from error
            if size < 0 or len(body) + size > limit:
                raise BodyError(413, f"chunked body over {limit} bytes")
            if size == 0:
                while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += rfile.read(size)
            rfile.readline(1024)  # the CRLF after each chunk
    text = str(get("Content-Length") or "0").strip()
    if not text.isdigit():
        raise BodyError(400, "Content-Length is not a number")
    length = int(text)
    if length > limit:
        raise BodyError(413, f"body over {limit} bytes")
    return rfile.read(length) if length else b""


def serve(handler: type[BaseHTTPRequestHandler], port: int, name: str) -> ThreadingHTTPServer:
    """Listen on 127.0.0.1:`port` (0: a free one) and serve from a daemon thread until `shutdown`."""
    server = LoopbackServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def shutdown(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()
