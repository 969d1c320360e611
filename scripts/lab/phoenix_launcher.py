"""Start Arize Phoenix with its OTLP/gRPC listener bound to loopback.

Phoenix binds its HTTP server to PHOENIX_HOST, but its OTLP gRPC server is
hard-wired to ``[::]:<PHOENIX_GRPC_PORT>`` (every interface, IPv4 and IPv6),
and the only switch that disables it (``--read-only``) also blocks ingestion.
The lab must only listen on loopback, so this launcher rewrites the wildcard
address passed to ``grpc.aio.Server.add_(in)secure_port`` to
``$SWITCHYARD_PHOENIX_GRPC_HOST`` (default 127.0.0.1) and then runs Phoenix's
own CLI entry point unchanged.

install.sh copies this file to $LAB/libexec/ and $LAB/bin/phoenix runs it with
the Phoenix venv's interpreter: ``phoenix serve`` etc. work as usual.
"""

from __future__ import annotations

import os
import sys

_WILDCARDS = ("[::]:", "0.0.0.0:", ":")


def _loopback(address: str) -> str:
    host = os.environ.get("SWITCHYARD_PHOENIX_GRPC_HOST", "127.0.0.1")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    for prefix in _WILDCARDS:
        if address.startswith(prefix):
            return f"{host}:{address[len(prefix):]}"
    return address


def _patch_grpc() -> None:
    from grpc.aio import _server  # Phoenix uses grpc.aio.server()

    cls = _server.Server
    insecure, secure = cls.add_insecure_port, cls.add_secure_port

    def add_insecure_port(self, address):  # type: ignore[no-untyped-def]
        return insecure(self, _loopback(address))

    def add_secure_port(self, address, server_credentials):  # type: ignore[no-untyped-def]
        return secure(self, _loopback(address), server_credentials)

    cls.add_insecure_port = add_insecure_port  # type: ignore[method-assign]
    cls.add_secure_port = add_secure_port  # type: ignore[method-assign]


def main() -> int:
    _patch_grpc()
    from phoenix.server.main import main as phoenix_main

    sys.argv[0] = "phoenix"
    result = phoenix_main()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
