"""The client's address, as one function for everything that records or counts it.

Login lockouts (django-axes, through AXES_CLIENT_IP_CALLABLE), the address on staff
actions' event rows and the API's rate limits all ask `client_ip`, so a deployment
behind reverse proxies configures it once:

- SSCARD_CLIENT_IP_HEADERS: the ``request.META`` names to read, in order, ending with
  REMOTE_ADDR (the default is REMOTE_ADDR alone);
- SSCARD_PROXY_COUNT: how many trusted proxies stand in front, each appending the
  address it saw to X-Forwarded-For. The client is then the entry that many places
  from the right; whatever the client typed into the header itself sits further left
  and is never taken.
"""

import ipaddress

from django.conf import settings
from ipware import get_client_ip


def client_ip(request):
    """The client's address, or None when the request carries no valid one."""
    proxies = getattr(settings, "SSCARD_PROXY_COUNT", None)
    address, _routable = get_client_ip(
        request,
        # django-ipware counts the proxies listed in the header after the client: the
        # nearest proxy's own address is REMOTE_ADDR, not in the list.
        proxy_order="left-most",
        proxy_count=proxies - 1 if proxies else None,
        request_header_order=getattr(settings, "SSCARD_CLIENT_IP_HEADERS", ("REMOTE_ADDR",)),
        strict=False,
    )
    return address or _peer(request)


def _peer(request):
    # A header chain shorter than the proxies configured (a request that skipped the
    # outer proxy): the peer's own address is all that is known.
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None
