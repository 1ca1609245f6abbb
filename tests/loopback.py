"""An HTTP server on loopback for a fake of an outside API (a CDN, Stripe,
Telegram): a free port on 127.0.0.1, served from a thread of its own.

A fake subclasses `LoopbackServer` and gives `handler()`, the request
handler class, which reaches the fake through a closure.
"""

import threading
from http.server import ThreadingHTTPServer


class LoopbackServer:
    def __init__(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def handler(self):
        raise NotImplementedError

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        """Stop answering (a test may do it early, to find the API unreachable)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
