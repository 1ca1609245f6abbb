"""A small Telegram Bot API client: send a message or a photo to one chat.

The standard library's urllib, with a timeout, to the configured API URL
only. A 429 answer ("Too Many Requests") is retried after the `retry_after`
it gives, a few times and for a bounded wait; any other refusal raises
`TelegramError` with Telegram's own description, for the editor to read.
The bot token is part of every request's path, so it never appears in an
error message.
"""

import json
import time
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

TIMEOUT_SECONDS = 15
MAX_RETRIES = 3
MAX_RETRY_WAIT = 30


class TelegramError(Exception):
    """Telegram refused a request, or could not be reached; `str()` says why."""

    def __init__(self, description: str, error_code: int | None = None):
        super().__init__(description)
        self.description = description
        self.error_code = error_code


@dataclass
class TelegramClient:
    token: str
    chat_id: str
    api_url: str = "https://api.telegram.org"
    timeout: float = TIMEOUT_SECONDS
    sleep: object = time.sleep

    def send_message(self, html: str, *, link_preview: bool = False) -> int:
        """Post `html` (Telegram's HTML subset) to the chat; return the message id."""
        result = self._call(
            "sendMessage",
            {
                "chat_id": self.chat_id,
                "text": html,
                "parse_mode": "HTML",
                "link_preview_options": {"is_disabled": not link_preview},
            },
        )
        return result["message_id"]

    def send_photo(self, photo_url: str, caption_html: str) -> int:
        """Post the photo at `photo_url` with its caption; return the message id.

        Telegram fetches the photo itself, so the URL must be public: the
        issue's lead image, served once the issue is.
        """
        result = self._call(
            "sendPhoto",
            {
                "chat_id": self.chat_id,
                "photo": photo_url,
                "caption": caption_html,
                "parse_mode": "HTML",
            },
        )
        return result["message_id"]

    def _call(self, method: str, fields: dict) -> dict:
        for attempt in range(MAX_RETRIES + 1):
            answer = self._request(method, fields)
            if answer.get("ok"):
                return answer["result"]
            code = answer.get("error_code")
            description = answer.get("description") or "Telegram gave no reason."
            wait = (answer.get("parameters") or {}).get("retry_after")
            if code == 429 and isinstance(wait, int) and attempt < MAX_RETRIES:
                if wait <= MAX_RETRY_WAIT:
                    self.sleep(wait)
                    continue
            raise TelegramError(description, code)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, method: str, fields: dict) -> dict:
        url = f"{self.api_url.rstrip('/')}/bot{self.token}/{method}"
        request = Request(
            url,
            data=json.dumps(fields).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except HTTPError as error:
            raw = error.read()
            if not raw:
                raise TelegramError(
                    f"Telegram answered HTTP {error.code} without a reason.",
                    error.code,
                ) from None
        except (URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TelegramError(f"Could not reach Telegram: {reason}.") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise TelegramError("Telegram's answer was not JSON.") from None
        if not isinstance(answer, dict):
            raise TelegramError("Telegram's answer was not understood.")
        return answer
