"""Loaded by every Python process started with this folder on PYTHONPATH (the offline test).

It makes any network connection attempt fail, and records it: ``socket.connect`` /
``connect_ex`` on a non-Unix socket, ``socket.create_connection`` and a DNS lookup of any
host but the loopback. Each attempt appends one line (pid, what, where, the calling
frames of our code) to the file named by ``LLM_DOJO_NET_LOG``, then raises ``OSError``
(ENETUNREACH), as a machine without network would. Unix sockets are allowed: they never
leave the machine. Connections made by native code that bypasses Python's socket
module are not seen here; the test's second half runs in an empty network namespace
for those.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import traceback

_LOG = os.environ.get("LLM_DOJO_NET_LOG")
_LOCAL = {"localhost", "127.0.0.1", "::1", "", None}


def _record(what: str, where: object) -> None:
    frames = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in traceback.extract_stack()[:-2]
              if "site-packages" not in f.filename and "netguard" not in f.filename][-4:]
    line = f"{os.getpid()} {what} {where!r} argv={sys.argv[:3]} from={frames}\n"
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(line)
    raise OSError(errno.ENETUNREACH, f"network blocked by the offline test: {what} {where!r}")


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if self.family != getattr(socket, "AF_UNIX", None):
        _record("connect", address)
    return _connect(self, address)


def connect_ex(self, address):
    if self.family != getattr(socket, "AF_UNIX", None):
        _record("connect_ex", address)
    return _connect_ex(self, address)


def create_connection(address, *args, **kwargs):
    _record("create_connection", address)


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host not in _LOCAL:
        _record("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


if _LOG:
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.create_connection = create_connection
    socket.getaddrinfo = getaddrinfo
