"""tests/httpcall.py: what the load clients of the shell tests share
(tests/crashclients.py, tests/loadclients.py). Standard library only."""
import http.client
import threading


def fetch(host, port, method, path, body, headers, timeout):
    """One request on a new connection: (status, body bytes), or (0, b"")
    when no whole answer came (reset, timeout, refused)."""
    try:
        c = http.client.HTTPConnection(host, port, timeout=timeout)
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
    except (OSError, http.client.HTTPException):
        return 0, b""
    return r.status, data


def run_all(targets):
    """Runs each callable of targets in a thread of its own; returns when
    all have ended."""
    ts = [threading.Thread(target=t) for t in targets]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
