"""Where a webhook may be sent: public addresses over HTTPS (no SSRF into our own network).

Checked twice: when an endpoint is registered, and again on every delivery, because DNS answers
change (DNS rebinding). At delivery the name is resolved once, every address it resolves to is
checked, and the connection goes to a checked address (`delivery.py` pins it), so a second DNS
answer cannot swap in a private one between the check and the connect.

`APP_WEBHOOKS_ALLOW_PRIVATE` (development and tests) lifts both the address and the https rules.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
# Cloud metadata services answer on these (AWS, GCP, Azure, Alibaba: 169.254.169.254; AWS's
# IPv6 one): they are link-local anyway, but the message names them.
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlNotAllowed(Exception):
    """The URL may never receive a webhook (shape, scheme or address); the message says why."""


class UrlNotResolved(Exception):
    """The host name did not resolve; DNS may work again later."""


@dataclass(frozen=True)
class Target:
    """A checked destination: where to connect (`addresses`) and what to call the host."""

    scheme: str
    host: str  # the name for the Host header, SNI and certificate check; ASCII (IDNA)
    port: int
    path: str  # path and query, as sent in the request line
    host_header: str
    addresses: tuple[str, ...]


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), which is where it goes."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why a webhook may not go to `ip` (a short phrase), or None for a public address."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None and (reason := address_refusal(embedded)):
        return reason
    if ip in METADATA_ADDRESSES:
        return _("the cloud metadata address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_private:
        return _("a private address")
    if ip.is_reserved:
        return _("a reserved address")
    if not ip.is_global:
        return _("a non-public address")
    return None


@dataclass(frozen=True)
class _Parts:
    scheme: str
    host: str
    port: int
    path: str
    host_header: str
    url: str


def _split(url: str, *, allow_private: bool) -> _Parts:
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        message = _("The URL is longer than %(max)d characters.")
        raise UrlNotAllowed(message % {"max": MAX_URL_LENGTH})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlNotAllowed(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in {"https", "http"} or not parts.hostname:
        raise UrlNotAllowed(_("Enter a full URL that starts with https://."))
    if scheme != "https" and not allow_private:
        raise UrlNotAllowed(_("Webhook URLs must use https://."))
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowed(
            _("Remove the user name and password from the URL: check our signature instead.")
        )
    host = parts.hostname.rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise UrlNotAllowed(_("The host name is not valid.")) from None
        display_host = host
    else:
        host = str(ip)
        display_host = f"[{host}]" if ip.version == 6 else host
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    host_header = display_host if port == default_port else f"{display_host}:{port}"
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    normalised = urlunsplit((scheme, host_header, parts.path or "/", parts.query, ""))
    return _Parts(scheme, host, port, path, host_header, normalised)


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        # Looked up through the module at call time: tests answer DNS by patching the OS call.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlNotResolved(
            _("The host name %(host)s could not be resolved.") % {"host": host}
        ) from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UrlNotResolved(_("The host name %(host)s has no address.") % {"host": host})
    return addresses


def _check_addresses(host: str, addresses: tuple[str, ...]) -> None:
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        reason = address_refusal(ip)
        if reason is None:
            continue
        if host == str(ip):
            message = _("Webhooks cannot be sent to %(address)s: it is %(reason)s.")
        else:
            message = _(
                "Webhooks cannot be sent to %(host)s: it resolves to %(address)s, %(reason)s."
            )
        raise UrlNotAllowed(message % {"host": host, "address": ip, "reason": reason})


def target_resolve(url: str, *, allow_private: bool) -> Target:
    """Resolve `url`'s host once and check every address; the Target is what may be contacted.

    Raises UrlNotAllowed (never deliverable) or UrlNotResolved (DNS failed, maybe for now).
    """
    parts = _split(url, allow_private=allow_private)
    addresses = _resolve(parts.host, parts.port)
    if not allow_private:
        _check_addresses(parts.host, addresses)
    return Target(
        scheme=parts.scheme,
        host=parts.host,
        port=parts.port,
        path=parts.path,
        host_header=parts.host_header,
        addresses=addresses,
    )


def url_check(url: str, *, allow_private: bool) -> str:
    """The normalised URL if it may receive webhooks now; UrlNotAllowed/UrlNotResolved if not."""
    parts = _split(url, allow_private=allow_private)
    target_resolve(parts.url, allow_private=allow_private)
    return parts.url
