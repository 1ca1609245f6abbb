"""DKIM: with DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_PATH set, every
edition is signed over its final bytes, and the signature verifies."""

import base64
import io
import random

import dkim
import pytest
from django.core.management import call_command


def _prime(bits, rng):
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(a, candidate - 1, candidate) == 1 for a in (2, 3, 5, 7, 11, 13)):
            if _miller_rabin(candidate, rng):
                return candidate


def _miller_rabin(n, rng, rounds=20):
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _der_length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _der(tag, body):
    return bytes([tag]) + _der_length(len(body)) + body


def _integer(value):
    body = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return _der(0x02, body)


def _sequence(*items):
    return _der(0x30, b"".join(items))


def rsa_keys(bits=1024):
    """(PEM private key, base64 public key for DNS): a test key made here."""
    rng = random.Random(13)
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    n, d = p * q, pow(e, -1, phi)
    private = _sequence(
        *(
            _integer(v)
            for v in (0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))
        )
    )
    public = _sequence(_integer(n), _integer(e))
    spki = _sequence(
        _sequence(_der(0x06, bytes.fromhex("2a864886f70d010101")), b"\x05\x00"),
        _der(0x03, b"\x00" + public),
    )
    pem = (
        b"-----BEGIN RSA PRIVATE KEY-----\n"
        + base64.encodebytes(private)
        + b"-----END RSA PRIVATE KEY-----\n"
    )
    return pem, base64.b64encode(spki).decode()


@pytest.fixture
def dkim_key(tmp_path, settings):
    pem, public = rsa_keys()
    path = tmp_path / "dkim.pem"
    path.write_bytes(pem)
    settings.DKIM_DOMAIN = "news.example.org"
    settings.DKIM_SELECTOR = "mail2026"
    settings.DKIM_PRIVATE_KEY_PATH = str(path)
    return public


def test_editions_are_dkim_signed_and_the_signature_verifies(
    make_issue, series, make_subscriber, smtp_server, dkim_key
):
    issue = make_issue(series=series, headline="Signed edition")
    make_subscriber("reader@example.org")

    call_command("send_edition", issue.slug, stdout=io.StringIO())

    (message,) = smtp_server.messages
    (raw,) = smtp_server.raw
    signature = message["DKIM-Signature"]
    assert "d=news.example.org" in signature and "s=mail2026" in signature
    for header in ("list-unsubscribe", "list-unsubscribe-post", "list-id", "subject"):
        assert header in signature.lower()

    def dns(name, timeout=5):
        assert name == b"mail2026._domainkey.news.example.org."
        return f"v=DKIM1; k=rsa; p={dkim_key}".encode()

    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"Signed edition", b"Forged edition", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_without_dkim_settings_nothing_is_signed(
    make_issue, series, make_subscriber, smtp_server
):
    issue = make_issue(series=series)
    make_subscriber("reader@example.org")

    call_command("send_edition", issue.slug, stdout=io.StringIO())

    assert smtp_server.messages[0]["DKIM-Signature"] is None
