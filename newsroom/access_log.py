"""gunicorn's access log, with preview tokens masked.

A preview link is a bearer token in the path: anyone who reads the access
log (an operator, a log shipper, a support ticket with a pasted excerpt)
could otherwise open every unpublished issue previewed that week. Every
value a log line can show (request line, path, query, referrer, headers,
environ) is masked, whatever `access_log_format` picks. This module must
not import Django: gunicorn's master process loads it before the app.
"""

import re

from gunicorn.glogging import Logger

#: `issues.previews.PATH_PREFIX` and whatever follows it up to the next `/`,
#: `?`, `#`, quote or space; `%2F` and friends stay inside the match.
PREVIEW_TOKEN_RE = re.compile(r"(/preview/)[^/?#\s\"']+")
MASK = r"\1…"


def mask_preview_tokens(text):
    """`text` with the token of every preview path in it replaced by `…`."""
    return PREVIEW_TOKEN_RE.sub(MASK, text)


class AccessLogger(Logger):
    """gunicorn's own logger, whose access-log atoms never carry a preview token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: mask_preview_tokens(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
