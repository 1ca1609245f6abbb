"""The address a request came from, for login throttling behind reverse proxies."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address they saw.

    Each proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry that many places from the
    right; whatever the client put in the header itself stands further left
    and is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
