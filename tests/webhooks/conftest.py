import socket

import pytest

from tenants.roles import Role
from tests.tenants.factories import TenantFactory, member

from .receiver import Receiver

# A global address: the policy accepts it, and no test ever connects to it.
PUBLIC_IP = "93.184.215.14"


@pytest.fixture
def brand():
    return TenantFactory(name="Lotus Tea")


@pytest.fixture
def owner(brand):
    return member(brand, Role.OWNER).user


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def allow_private(settings):
    """Development mode: loopback receivers and plain http are allowed."""
    settings.APP_WEBHOOKS_ALLOW_PRIVATE = True


class FakeDns:
    """Answers for host names under .test; every other name goes to the real resolver.

    Patches socket.getaddrinfo, the operating system's resolver: our code runs unchanged.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
            name = host.decode() if isinstance(host, bytes) else host
            if name in self.answers:
                self.lookups.append(name)
                return [
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
                    if ":" in address
                    else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                    for address in self.answers[name]
                ]
            if isinstance(name, str) and name.endswith(".test"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(host, port, family, type, proto, flags)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDns(monkeypatch)
    fake.answers["hooks.brand.test"] = [PUBLIC_IP]
    return fake
