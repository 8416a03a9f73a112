"""Small HTTP servers on 127.0.0.1 for the local stack and its tests: served on a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer(ThreadingHTTPServer):
    # socketserver's default backlog is 5: a client opening dozens of connections at once (the Threads sync's
    # concurrent reads) would see some connects dropped and retried a second later.
    request_queue_size = 128


def serve(handler: type[BaseHTTPRequestHandler], port: int, name: str) -> ThreadingHTTPServer:
    """Listen on 127.0.0.1:`port` (0: a free one) and serve from a daemon thread until `shutdown`."""
    server = LoopbackServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def shutdown(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()
