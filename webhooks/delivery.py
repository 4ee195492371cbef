"""One webhook POST to a checked, pinned address: no redirects, short timeouts, a capped read.

The URL's host is resolved once (`url_policy.target_resolve`), every address is checked, and
the connection is opened to a checked address by number. The host name still goes in the Host
header, in TLS SNI and into the certificate check, so the receiver cannot tell the difference,
and a DNS answer that changes after the check (rebinding) is never looked up at all.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError

from . import url_policy

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
# A connection that fails before anything was sent moves on to the host's next address.
MAX_ADDRESSES = 2
RESPONSE_EXCERPT_BYTES = 1024
USER_AGENT = "Brandloom-Webhooks/1"


class DeliveryError(Exception):
    """No HTTP answer came back (connect, TLS, timeout, protocol): a retry may succeed."""


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    excerpt: str  # the start of the response body, for the delivery's last error
    location: str  # the Location header of a redirect, which is never followed


def _pool(
    target: url_policy.Target, address: str, ca_bundle: str | None
) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            host=address,
            port=target.port,
            timeout=timeout,
            maxsize=1,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_bundle,  # None: the system's trust store
            assert_hostname=target.host,
            server_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        host=address, port=target.port, timeout=timeout, maxsize=1, retries=False
    )


def _describe(error: Exception) -> str:
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {reason}"


def post(
    *,
    target: url_policy.Target,
    body: bytes,
    headers: Mapping[str, str],
    ca_bundle: str | None = None,
) -> HttpAnswer:
    """POST `body` to `target` at one of its checked addresses; DeliveryError without an answer."""
    request_headers = {
        **headers,
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
    }
    failure: Exception | None = None
    for address in target.addresses[:MAX_ADDRESSES]:
        pool = _pool(target, address, ca_bundle)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=request_headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                # One read of at most this many bytes: a huge or endless body is not our problem.
                excerpt = response.read1(RESPONSE_EXCERPT_BYTES)
            except HTTPError:
                excerpt = b""
            finally:
                response.close()  # not drained back into the pool: the pool is thrown away
            return HttpAnswer(
                status=response.status,
                excerpt=excerpt.decode("utf-8", errors="replace"),
                location=response.headers.get("Location", ""),
            )
        except ConnectTimeoutError as error:  # includes refused connections: nothing was sent
            failure = error
            continue
        except (HTTPError, OSError) as error:
            raise DeliveryError(_describe(error)) from error
        finally:
            pool.close()
    raise DeliveryError(_describe(failure or DeliveryError("no address to connect to")))
