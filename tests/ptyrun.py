#!/usr/bin/env python3
"""tests/ptyrun.py HOW URL COMMAND...: runs COMMAND in a new pseudo-terminal (as
a user's shell would: its own session, the pty as controlling terminal),
copies what it prints to stdout, waits until URL answers over HTTP, then
stops it the way a user at that terminal would:
  int  types Ctrl-C (the line discipline sends SIGINT to the foreground
       process group);
  hup  closes the terminal (the kernel sends SIGHUP to the session).
Exits 0 when COMMAND exited within 20 s of that, 1 otherwise (then it is
killed), 2 when URL never answered (within 120 s)."""

import os
import pty
import select
import signal
import sys
import time
import urllib.error
import urllib.request


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url):
    try:
        OPENER.open(url, timeout=1)
        return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer will do
    except Exception:
        return False


def drain(fd, until):
    """Copies the pty's output to stdout until `until` (a time); False at
    EOF (the terminal's other side is gone)."""
    while True:
        left = until - time.time()
        if left <= 0:
            return True
        r, _, _ = select.select([fd], [], [], min(left, 0.1))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def main():
    how, url, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    deadline = time.time() + 120
    while not answers(url):
        if time.time() > deadline or not drain(fd, time.time() + 0.2):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 2
    drain(fd, time.time() + 0.5)
    if how == "int":
        os.write(fd, b"\x03")
    else:
        os.close(fd)
    deadline = time.time() + 20
    if how == "int":
        # Everything it prints until the terminal's other side closes.
        drain(fd, deadline)
    while time.time() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return 0
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return 1


if __name__ == "__main__":
    sys.exit(main())
