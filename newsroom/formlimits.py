"""A higher limit on form fields for the issue admin's form, and for nothing else.

Django refuses a request with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields
(its default, 1,000) with a 400, and the typed text is lost. An issue's admin
form sends about ten fields per story and seven per read, so an issue of about
90 items is past it. Django reads the limit from settings, one value for every
request and thread; so the setting is a `FieldLimit`, which is its own value
except while `RaisedFieldLimitMiddleware` has raised it for the request at
hand (a context variable, so other requests and threads keep theirs). The
public site keeps Django's limit.
"""

from contextvars import ContextVar

from django.urls import Resolver404, resolve

#: The issue admin's limit: an issue of several hundred stories and reads.
ISSUE_FORM_MAX_FIELDS = 10_000
ISSUE_FORM_VIEWS = {
    "admin:issues_issue_change",
    "admin:issues_issue_add",
    "admin:issues_issue_autosave",
}

_raised = ContextVar("raised_field_limit", default=None)


class FieldLimit(int):
    """An int that reads as the limit raised for the current request, if any.

    Django compares the setting with a count (`limit < n`, `limit + 2 < n`);
    those operations see the raised value. Anything that takes the plain int
    sees the default, the stricter of the two.
    """

    def current(self):
        raised = _raised.get()
        return int(self) if raised is None else raised

    def __add__(self, other):
        return self.current() + other

    __radd__ = __add__

    def __lt__(self, other):
        return self.current() < other

    def __le__(self, other):
        return self.current() <= other

    def __gt__(self, other):
        return self.current() > other

    def __ge__(self, other):
        return self.current() >= other

    __hash__ = int.__hash__


class RaisedFieldLimitMiddleware:
    """Raise the field limit for a POST to the issue admin's form.

    Must come before anything that reads `request.POST`, such as
    CsrfViewMiddleware; the view itself still checks who may save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (request.method == "POST" and self._is_issue_form(request)):
            return self.get_response(request)
        token = _raised.set(ISSUE_FORM_MAX_FIELDS)
        try:
            return self.get_response(request)
        finally:
            _raised.reset(token)

    @staticmethod
    def _is_issue_form(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in ISSUE_FORM_VIEWS
