#!/usr/bin/env python3
"""tests/slowclients.py HOST PORT [--count N] [--from ADDR] [--every S]
[--hold S]: a slow-client flood, as tests/slow.sh uses it.

Opens COUNT (default 2000) TCP connections to HOST:PORT from the local
address ADDR (default 127.0.0.2), sends the start of a request on each
("GET / HTTP/1.1" and a Host line) and then one more header line every S
seconds (default 10), never finishing the headers, for HOLD seconds (default
30). Prints "ready OPEN REFUSED" once every connection was tried, then, at
the end, "open N" with how many the server still keeps (the rest it closed
or answered). Raises its own file limit as far as the hard limit allows.
"""
import argparse
import errno
import resource
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--from", dest="src", default="127.0.0.2")
    ap.add_argument("--every", type=float, default=10.0)
    ap.add_argument("--hold", type=float, default=30.0)
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.count + 64
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))

    # Every connection at once, non-blocking: a server that stops accepting
    # must not stall the flood; what has not connected after 10 s counts as
    # refused (and is kept pending until the end, as a real client would).
    sel = selectors.DefaultSelector()
    pending = {}
    for _ in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((a.src, 0))
        rc = s.connect_ex((a.host, a.port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            continue
        pending[s] = True
        sel.register(s, selectors.EVENT_WRITE)
    socks = []
    deadline = time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            sel.unregister(s)
            del pending[s]
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                s.close()
                continue
            try:
                s.send(b"GET / HTTP/1.1\r\nHost: %s\r\n" % a.host.encode())
            except OSError:
                s.close()
                continue
            socks.append(s)
    refused = a.count - len(socks)
    print("ready %d %d" % (len(socks), refused), flush=True)

    for s in pending:
        sel.unregister(s)
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    alive = set(socks)
    end = time.monotonic() + a.hold
    nxt = time.monotonic() + a.every
    n = 0
    while time.monotonic() < end and alive:
        for key, _ in sel.select(timeout=min(1.0, max(0.0, nxt - time.monotonic()))):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:    # closed (or answered and closed) by the server
                sel.unregister(s)
                alive.discard(s)
                s.close()
        if time.monotonic() >= nxt:
            n += 1
            for s in list(alive):
                try:
                    s.send(b"X-Slow-%d: x\r\n" % n)
                except OSError as e:
                    if e.errno not in (errno.EAGAIN,):
                        sel.unregister(s)
                        alive.discard(s)
                        s.close()
            nxt += a.every
    print("open %d" % len(alive), flush=True)
    for s in list(alive) + list(pending):
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
