"""What an address typed into the sign-up form or an import must look like.

Django's validator accepts quoted local parts, which may hold control
characters, commas and angle brackets: text that could break a mail header
or turn one recipient into several. Only the plain `name@domain` form is
taken here, and each refusal says why.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_LENGTH = 254
#: RFC 5322's dot-atom: what nearly every real address's local part is.
LOCAL_PART = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
HEADER_BREAKING = set(' "(),:;<>[\\]')

INVALID = "Enter a valid email address, such as name@example.com."
CONTROL = "An email address cannot hold line breaks, tabs or other control characters."
BREAKING = "An email address cannot hold spaces, quotes, commas, brackets or colons."
TOO_LONG = f"An email address has at most {MAX_LENGTH} characters."


def clean_address(value):
    """`value` as a deliverable address, or a ValidationError saying what is wrong."""
    value = (value or "").strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValidationError(CONTROL, code="control")
    if len(value) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="too_long")
    if any(char in HEADER_BREAKING for char in value):
        raise ValidationError(BREAKING, code="header")
    local, at, domain = value.rpartition("@")
    if not at or not LOCAL_PART.fullmatch(local) or "=?" in value:
        raise ValidationError(INVALID, code="invalid")
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationError(INVALID, code="invalid") from None
    return f"{local}@{domain.lower()}"
