"""Which network addresses flow components may reach, checked on the address actually connected to.

URLs in flows and in run inputs come from callers, so a component that fetches them could be aimed
at the worker's own network: Sluice's database, a cloud metadata endpoint (169.254.169.254), an
admin port on loopback. Only public addresses are reachable, unless the operator lists a host, an
address or a network (CIDR) in `SLUICE_ALLOWED_HOSTS`. The check runs where a connection is opened:
the host name is resolved once, every address it resolves to must pass, and the connection goes to
one of those checked addresses, so a name that resolves elsewhere a moment later (DNS rebinding)
gains nothing. Redirects and crawled links open new connections and are checked the same way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

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

    @classmethod
    def allowing(cls, entries: Iterable[str]) -> NetworkPolicy:
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
        return cls(frozenset(hosts), tuple(networks))

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`, every one of them allowed; else BlockedAddress."""
        name = host.strip("[]").lower().rstrip(".")
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise UnresolvableHost(f"Cannot resolve the host {host}: {error.strerror}.") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if name not in self.hosts:
            for text in addresses:
                self._check(host, ipaddress.ip_address(text.partition("%")[0]))
        return addresses

    def _check(self, host: str, address: IPAddress) -> None:
        kind = kind_of(address)
        if kind is None or any(address in network for network in self.networks):
            return
        shown = host if host.strip("[]") == str(address) else f"{host} ({address})"
        raise BlockedAddress(
            f"Refused to connect to {shown}: it is a {kind} address. Private, loopback and "
            "link-local addresses are reachable only when listed in SLUICE_ALLOWED_HOSTS."
        )


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

    def __init__(self, policy: NetworkPolicy) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
