"""How keys reach a CDN: a small interface and three backends.

A backend is built with the URL, token and timeout from the settings, and
has `purge(keys)`, which returns when the CDN accepted the purge and raises
PurgeFailed otherwise; `max_keys` is how many keys one request may carry.
CDN_PURGE_BACKEND names the class (a dotted path); the default is
`HTTPPurge`, a generic HTTP PURGE.
"""

import json
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.module_loading import import_string


class PurgeFailed(Exception):
    """The CDN did not accept the purge; `str()` says why."""


class PurgeBackend:
    max_keys = 100

    def __init__(self, url, token="", timeout=5.0):
        self.url = url
        self.token = token
        self.timeout = timeout

    def purge(self, keys):
        raise NotImplementedError

    def send(self, request):
        """Send `request`; the body of a 2xx answer, else PurgeFailed."""
        try:
            with urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except HTTPError as error:
            raise PurgeFailed(
                f"{request.get_method()} {self.url} answered {error.code}"
            ) from error
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PurgeFailed(
                f"{request.get_method()} {self.url} failed: {reason}"
            ) from error


class HTTPPurge(PurgeBackend):
    """`PURGE <CDN_PURGE_URL>` with `Surrogate-Key: key1 key2 …`.

    Varnish (with xkey), a purging proxy or a small service of your own read
    the header; CDN_PURGE_TOKEN, when set, goes as `Authorization: Bearer`.
    """

    def purge(self, keys):
        headers = {"Surrogate-Key": " ".join(keys)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.send(Request(self.url, method="PURGE", headers=headers))


class FastlyPurge(PurgeBackend):
    """Fastly's purge by surrogate key.

    CDN_PURGE_URL=https://api.fastly.com/service/<service id>/purge,
    CDN_PURGE_TOKEN=<an API token with purge rights>.
    """

    max_keys = 256

    def purge(self, keys):
        headers = {
            "Surrogate-Key": " ".join(keys),
            "Fastly-Key": self.token,
            "Accept": "application/json",
        }
        self.send(Request(self.url, method="POST", headers=headers))


class CloudflarePurge(PurgeBackend):
    """Cloudflare's purge by cache tag (the pages' `Cache-Tag`).

    CDN_PURGE_URL=https://api.cloudflare.com/client/v4/zones/<zone id>/purge_cache,
    CDN_PURGE_TOKEN=<an API token with Cache Purge rights>.
    """

    max_keys = 30

    def purge(self, keys):
        request = Request(
            self.url,
            method="POST",
            data=json.dumps({"tags": list(keys)}).encode(),
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
            },
        )
        body = self.send(request)
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise PurgeFailed(f"POST {self.url} answered no JSON") from error
        if not (isinstance(answer, dict) and answer.get("success") is True):
            errors = answer.get("errors") if isinstance(answer, dict) else None
            raise PurgeFailed(f"POST {self.url} refused the purge: {errors}")


def enabled():
    return bool(settings.CDN_PURGE_URL)


def get_backend():
    """The configured backend, or None when purging is off."""
    if not enabled():
        return None
    backend = import_string(settings.CDN_PURGE_BACKEND)
    return backend(
        url=settings.CDN_PURGE_URL,
        token=settings.CDN_PURGE_TOKEN,
        timeout=settings.CDN_PURGE_TIMEOUT,
    )
