"""A local fake of the Telegram Bot API, strict where the real one is.

`FakeTelegram` serves `sendMessage` and `sendPhoto` on a loopback port from
a thread; the test that starts it stops it. Like Telegram it accepts only
its HTML subset (tags, attributes, nesting, entities), counts a message's
length after parsing the tags, in UTF-16 code units (at most 4,096, or
1,024 for a caption), checks the bot token and the chat, and can be told
to answer 429 with a `retry_after`. It records what it accepted.
"""

import html
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler

from tests.loopback import LoopbackServer

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TAGS = {
    "b": set(), "strong": set(), "i": set(), "em": set(), "u": set(), "ins": set(),
    "s": set(), "strike": set(), "del": set(), "a": {"href"}, "code": {"class"},
    "pre": set(), "blockquote": {"expandable"}, "tg-spoiler": set(),
    "span": {"class"},
}  # fmt: skip
TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
ATTR_RE = re.compile(r'\s+([a-z-]+)(?:="([^"]*)")?')
ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class BadRequest(Exception):
    pass


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(markup: str) -> str:
    """The text of `markup` as Telegram shows it; BadRequest where Telegram refuses."""
    stack, out, pos = [], [], 0
    while pos < len(markup):
        lt = markup.find("<", pos)
        chunk = markup[pos:] if lt < 0 else markup[pos:lt]
        out.append(_text(chunk, pos))
        if lt < 0:
            break
        match = TAG_RE.match(markup, lt)
        if not match:
            raise BadRequest(
                "can't parse entities: Unexpected character at byte offset "
                f"{len(markup[:lt].encode())}"
            )
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name not in TAGS:
            raise BadRequest(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte '
                f"offset {len(markup[:lt].encode())}"
            )
        if closing:
            if not stack or stack[-1] != name:
                raise BadRequest(
                    f"can't parse entities: Can't find end tag corresponding to \"{name}\""
                )
            stack.pop()
        else:
            _check_attributes(name, dict(ATTR_RE.findall(attrs)))
            if name == "blockquote" and "blockquote" in stack:
                raise BadRequest("can't parse entities: nested blockquotes")
            stack.append(name)
        pos = match.end()
    if stack:
        raise BadRequest(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _text(chunk, offset):
    if ">" in chunk:
        raise BadRequest("can't parse entities: unexpected “>”")
    for amp in re.finditer("&", chunk):
        if not ENTITY_RE.match(chunk, amp.start()):
            raise BadRequest(
                "can't parse entities: Unsupported entity at byte offset "
                f"{offset + amp.start()}"
            )
    return html.unescape(chunk)


def _check_attributes(name, attrs):
    unknown = set(attrs) - TAGS[name]
    if unknown:
        raise BadRequest(f"can't parse entities: unsupported attribute in <{name}>")
    if name == "a":
        href = html.unescape(attrs.get("href", ""))
        if not re.match(r"(https?|tg)://", href):
            raise BadRequest(f"can't parse entities: wrong URL in <a>: {href!r}")
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise BadRequest('can\'t parse entities: <span> needs class="tg-spoiler"')


class FakeTelegram(LoopbackServer):
    def __init__(self, token="123456:TEST-token", chat_id="@nowwhatvenezuela"):
        self.token = token
        self.chat_id = chat_id
        self.received: list[dict] = []  # accepted calls: {"method": …, **fields}
        self.requests: list[tuple[float, str]] = []  # every call: (time, method)
        self.answers: list[tuple[int, dict]] = []  # canned answers, first first
        self._next_id = 100
        self._lock = threading.Lock()
        super().__init__()

    @property
    def messages(self):
        """The accepted text of each message, as Telegram would show it."""
        return [
            parse_telegram_html(call.get("text") or call.get("caption") or "")
            for call in self.received
        ]

    def answer_429(self, times=1, retry_after=1):
        for _ in range(times):
            self.answers.append(
                (
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after},
                    },
                )
            )

    def refuse(self, description, code=400):
        self.answers.append(
            (code, {"ok": False, "error_code": code, "description": description})
        )

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = fake.handle(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def handle(self, path, headers, body):
        with self._lock:
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
            method = match.group(2) if match else ""
            self.requests.append((time.monotonic(), method))
            if not match or match.group(1) != self.token:
                return 401, {
                    "ok": False,
                    "error_code": 401,
                    "description": "Unauthorized",
                }
            if self.answers:
                return self.answers.pop(0)
            if "application/json" not in headers.get("Content-Type", ""):
                return _bad("unsupported content type")
            try:
                fields = json.loads(body)
            except ValueError:
                return _bad("request body is not JSON")
            if method not in {"sendMessage", "sendPhoto"}:
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            if str(fields.get("chat_id")) != self.chat_id:
                return _bad("chat not found")
            if fields.get("parse_mode") != "HTML":
                return _bad("this fake expects parse_mode HTML")
            try:
                if method == "sendMessage":
                    shown = parse_telegram_html(fields.get("text", ""))
                    if not shown.strip():
                        return _bad("message text is empty")
                    if utf16_length(shown) > TEXT_LIMIT:
                        return _bad("message is too long")
                else:
                    if not str(fields.get("photo", "")).startswith(
                        ("http://", "https://")
                    ):
                        return _bad("wrong remote file identifier specified")
                    shown = parse_telegram_html(fields.get("caption", ""))
                    if utf16_length(shown) > CAPTION_LIMIT:
                        return _bad("message caption is too long")
            except BadRequest as error:
                return _bad(str(error))
            self._next_id += 1
            self.received.append({"method": method, **fields})
            return 200, {"ok": True, "result": {"message_id": self._next_id}}


def _bad(description):
    return 400, {
        "ok": False,
        "error_code": 400,
        "description": f"Bad Request: {description}",
    }
