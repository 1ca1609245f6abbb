"""Which address login throttling counts, with and without reverse proxies."""

import pytest
from django.test import RequestFactory

from newsroom.client_ip import client_ip


def request_from(forwarded_for=None):
    extra = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/admin/login/", **extra)


def test_without_proxies_a_forwarded_for_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("198.51.100.7")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("proxies", "header", "expected"),
    [
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "198.51.100.7, 203.0.113.66", "203.0.113.66"),
        (2, "203.0.113.66, 10.1.1.1", "203.0.113.66"),
        (2, "198.51.100.7, 203.0.113.66, 10.1.1.1", "203.0.113.66"),
    ],
)
def test_behind_proxies_the_client_is_counted_from_the_right(
    settings, proxies, header, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_ip(request_from(header)) == expected


def test_a_request_that_skipped_the_proxies_falls_back_to_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("203.0.113.66")) == "10.0.0.2"
    assert client_ip(request_from()) == "10.0.0.2"
