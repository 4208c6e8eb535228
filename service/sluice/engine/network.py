"""Which network addresses flow components may reach, checked on the address actually connected to.

URLs in flows and in run inputs come from callers, so a component that fetches them could be aimed
at the worker's own network: Sluice's database, a cloud metadata endpoint (169.254.169.254), an
admin port on loopback. Only public addresses are reachable, unless the operator lists a host, an
address or a network (CIDR) in `SLUICE_ALLOWED_HOSTS`. The check runs where a connection is opened:
the host name is resolved once, every address it resolves to must pass, and the connection goes to
one of those checked addresses, so a name that resolves elsewhere a moment later (DNS rebinding)
gains nothing. Redirects and crawled links open new connections and are checked the same way.

Sluice's own database is never reachable, whatever SLUICE_ALLOWED_HOSTS says: the port of
DATABASE_URL (and SLUICE_LISTEN_DATABASE_URL) is refused on the addresses their hosts resolve to, and,
when the database runs on this machine, on every address of this machine (loopback, 0.0.0.0, its
own interfaces), since a server listening on one of them often listens on all.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import httpcore
import httpx

from sluice.engine.errors import ComponentError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# NAT64 addresses embed an IPv4 address in their last 32 bits; that address is what gets reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(ComponentError):
    """A component tried to reach an address the network policy does not allow."""


class UnresolvableHost(OSError):
    """The host name does not resolve (a network failure, not a policy refusal)."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _reached(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-embedding IPv6 address reaches, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        return _embedded_ipv4(address) or address
    return address


def is_this_machine(address: IPAddress) -> bool:
    """Loopback, unspecified (connecting to 0.0.0.0 reaches this machine), or one of its interfaces'
    addresses: the ones a socket can be bound to."""
    address = _reached(address)
    if address.is_loopback or address.is_unspecified:
        return True
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((str(address), 0))
        except OSError:
            return False
    return True


def database_endpoints(url: str) -> tuple[tuple[str, int], ...]:
    """The (host, port) pairs a PostgreSQL URL connects to; host "" is a Unix socket on this machine."""
    if not url:
        return ()
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    default_port = int((query.get("port") or [os.environ.get("PGPORT") or "5432"])[0].split(",")[0])
    hosts = [spec for spec in parts.netloc.rpartition("@")[2].split(",") if spec]
    if not hosts:
        hosts = (query.get("host") or [os.environ.get("PGHOST", "")])[0].split(",")
    endpoints = []
    for spec in hosts:
        if spec.startswith("["):
            host, _, rest = spec[1:].partition("]")
            port = rest.lstrip(":")
        elif spec.count(":") == 1:
            host, _, port = spec.partition(":")
        else:
            host, port = spec, ""
        host = "" if host.startswith("/") else host.lower().rstrip(".")
        endpoints.append((host, int(port) if port.isdigit() else default_port))
    return tuple(endpoints)


def kind_of(address: IPAddress) -> str | None:
    """Why an address is not public ("loopback", "private", ...), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return kind_of(embedded)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"
    return None


@attrs.frozen
class NetworkPolicy:
    # Host names and address literals, lower case, that are reachable whatever they resolve to.
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()
    # Sluice's own database servers (host, port): refused whatever the allow list says.
    databases: tuple[tuple[str, int], ...] = ()

    @classmethod
    def allowing(cls, entries: Iterable[str], database_urls: Iterable[str] = ()) -> NetworkPolicy:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            name = entry.strip().strip("[]").lower().rstrip(".")
            if not name:
                continue
            try:
                networks.append(ipaddress.ip_network(name, strict=False))
            except ValueError:
                hosts.add(name)
        databases = tuple(dict.fromkeys(endpoint for url in database_urls for endpoint in database_endpoints(url)))
        return cls(frozenset(hosts), tuple(networks), databases)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`, every one of them allowed; else BlockedAddress."""
        name = host.strip("[]").lower().rstrip(".")
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise UnresolvableHost(f"Cannot resolve the host {host}: {error.strerror}.") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        checked = [ipaddress.ip_address(text.partition("%")[0]) for text in addresses]
        await self._refuse_database(host, port, checked)
        if name not in self.hosts:
            for address in checked:
                self._check(host, address)
        return addresses

    async def _refuse_database(self, host: str, port: int, addresses: list[IPAddress]) -> None:
        for database_host, database_port in self.databases:
            if port != database_port:
                continue
            database = await _addresses_of(database_host, port)
            local = any(is_this_machine(address) for address in database)
            for address in addresses:
                if _reached(address) in database or (local and is_this_machine(address)):
                    raise BlockedAddress(f"Refused to connect to {host} port {port}: that is Sluice's own "
                                         "database, which flows can never reach.")

    def _check(self, host: str, address: IPAddress) -> None:
        kind = kind_of(address)
        if kind is None or any(address in network for network in self.networks):
            return
        shown = host if host.strip("[]") == str(address) else f"{host} ({address})"
        raise BlockedAddress(
            f"Refused to connect to {shown}: it is a {kind} address. Private, loopback and "
            "link-local addresses are reachable only when listed in SLUICE_ALLOWED_HOSTS."
        )


async def _addresses_of(host: str, port: int) -> set[IPAddress]:
    """What a database host resolves to now; a Unix socket ("") is this machine."""
    if not host:
        return {ipaddress.IPv4Address("127.0.0.1")}
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return set()  # the database is unreachable by that name just now, from here too
    return {_reached(ipaddress.ip_address(str(info[4][0]).partition("%")[0])) for info in infos}


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, opening each TCP connection only to addresses the policy allows."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._policy.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"Resolving {host} timed out.") from None
        except UnresolvableHost as error:
            raise httpcore.ConnectError(str(error)) from None
        failure: Exception | None = None
        for address in addresses:  # the checked addresses, in resolver order
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        raise failure or httpcore.ConnectError(f"{host} resolves to no address.")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("Flows cannot reach Unix sockets.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport over a connection pool whose connections pass through the policy.

    No proxy (`trust_env` off): behind a proxy the address connected to would not be the one checked.
    """

    def __init__(self, policy: NetworkPolicy, limits: httpx.Limits | None = None) -> None:
        super().__init__(trust_env=False)
        limits = limits or httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
