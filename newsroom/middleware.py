"""Middleware of the newsroom's own."""

import base64
import functools
import hashlib

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.middleware.gzip import GZipMiddleware
from django.utils.functional import SimpleLazyObject, empty
from django_prose_editor.widgets import importmap as prose_editor_importmap

from newsroom.errors import database_unavailable, is_outage


class DatabaseUnavailableMiddleware:
    """Answer a plain 503, not a 500 or a traceback, when the database is down.

    This also covers DEBUG, where handler500 is not used; errors raised outside
    views reach `newsroom.errors.server_error` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return database_unavailable()
        return None


@functools.cache
def editor_importmap_hash():
    """The CSP hash of the rich-text editor's import map, as the admin renders it."""
    rendered = str(prose_editor_importmap)
    content = rendered[rendered.index(">") + 1 : rendered.rindex("</script>")]
    digest = base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()
    return f"'sha256-{digest}'"


#: The base CSS that the editor's Tiptap core injects as a <style> element; the
#: same rules already come from its editor.css. Its hash changes only with
#: django-prose-editor (pinned below 0.29); the admin browser test checks it.
TIPTAP_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


class AdminEditorPolicyMiddleware:
    """Lets the admin's rich-text editor start under a CSP with no inline code.

    The editor (django-prose-editor) loads its modules through an import map,
    which browsers accept only inline, and Tiptap injects a style element.
    Rather than allowing inline script or style in the admin, where a writer's
    text is shown to editors, the admin's policy allows exactly these two by
    their hashes. Must sit below CSPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/"):
            response._csp_update = {
                "script-src": [editor_importmap_hash()],
                "style-src": [TIPTAP_STYLE_HASH],
            }
        return response


#: What is worth compressing: pages, feeds, sitemaps, robots.txt.
COMPRESSED_TYPES = ("text/", "application/xml", "application/rss+xml",
                    "application/atom+xml", "application/json")  # fmt: skip


class PublicPageGZipMiddleware(GZipMiddleware):
    """Compresses the public pages, feeds and sitemaps when no proxy does.

    Only answers that any cache may keep (`Cache-Control: public`) and that
    set no cookie: BREACH guesses a secret from the size of compressed
    answers that reflect the attacker's input beside it, and a public page
    holds no secret (no CSRF token, no session: a page that used one sets its
    cookie, and an editor's pages are private). The admin, forms with a CSRF
    token and previews are therefore never compressed. Static files come
    compressed from whitenoise already.
    """

    def process_response(self, request, response):
        if (
            response.streaming
            or response.cookies
            or "public" not in response.get("Cache-Control", "")
            or "private" in response.get("Cache-Control", "")
            or not response.get("Content-Type", "").startswith(COMPRESSED_TYPES)
        ):
            return response
        return super().process_response(request, response)


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware, making the message store only when used.

    The store's cookie signer is made per request, a noticeable part of a
    public page that misses the cache, which shows no messages; the admin
    and the forms that add one make it as before.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
