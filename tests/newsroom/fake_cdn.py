"""A fake CDN purge API on loopback: it keeps every request and answers as told.

`FakeCDN().start()` serves on 127.0.0.1 at a free port. Each request (any
method, any path) is kept as a `Purge` (method, path, headers, body, the keys
it names); `answers` is a list of (status, body) given to the next requests
in turn, then 200. `wait_for(n)` waits until n requests arrived.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from tests.loopback import LoopbackServer


@dataclass
class Purge:
    method: str
    path: str
    headers: dict
    body: bytes

    @property
    def keys(self):
        if "Surrogate-Key" in self.headers:
            return self.headers["Surrogate-Key"].split()
        return json.loads(self.body)["tags"]


class FakeCDN(LoopbackServer):
    def __init__(self, answers=(), ok_body=b'{"status": "ok"}'):
        self.requests = []
        self.answers = list(answers)
        self.ok_body = ok_body
        self._arrived = threading.Condition()
        super().__init__()

    def wait_for(self, count, timeout=10.0):
        """The requests once `count` have arrived (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(self.requests)} purge requests arrived, not {count}"
                    )
                self._arrived.wait(left)
            return list(self.requests)

    def keys(self):
        """Every key purged so far."""
        return {key for purge in self.requests for key in purge.keys}

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if fake.answers:
                    status, reply = fake.answers.pop(0)
                else:
                    status, reply = 200, fake.ok_body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
                with fake._arrived:
                    fake.requests.append(
                        Purge(self.command, self.path, dict(self.headers), body)
                    )
                    fake._arrived.notify_all()

            do_PURGE = do_POST = do_GET = answer

            def log_message(self, *args):
                pass

        return Handler
