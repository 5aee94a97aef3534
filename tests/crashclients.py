#!/usr/bin/env python3
"""tests/crashclients.py: writers for tests/crash.sh.

Runs THREADS threads for SECONDS against patrol at BASE with the bearer
token TOKEN. Each thread, in turn: PUTs a Duo configuration whose every
field names the write ("h-T-N.example.com", accessKey "AK-T-N-...", ikey
"IK-T-N"); creates a PAT named "c-T-N"; deletes every other PAT it created.
A write is acknowledged when the whole 2xx response was read; anything else
(an error status, a reset, a timeout) leaves it unacknowledged: it may or
may not have happened. Writes JSON to OUT:

  {"puts": [{"host", "ak", "ikey", "sent", "done", "acked"}...],
   "creates": [{"name", "acked", "id", "created"}...],
   "deletes": [{"id", "acked"}...], "statuses": {"200": n, ...}}

Times are time.monotonic() seconds. Standard library only.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    base, token, threads, seconds, out = sys.argv[1:6]
    u = urllib.parse.urlsplit(base)
    host, port = u.hostname, u.port
    threads, seconds = int(threads), float(seconds)
    lock = threading.Lock()
    log = {"puts": [], "creates": [], "deletes": [], "statuses": {}}
    stop = time.monotonic() + seconds

    def call(method, path, body=None, ctype=None):
        """(status, parsed JSON or None); status 0 when no whole answer."""
        headers = {"Authorization": "Bearer " + token}
        if ctype:
            headers["Content-Type"] = ctype
        try:
            c = http.client.HTTPConnection(host, port, timeout=10)
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            c.close()
        except (OSError, http.client.HTTPException):
            status = 0
            data = b""
        else:
            status = r.status
        with lock:
            k = str(status)
            log["statuses"][k] = log["statuses"].get(k, 0) + 1
        try:
            j = json.loads(data) if data else None
        except ValueError:
            j = None
        return status, j

    def worker(t):
        n = 0
        mine = []
        while time.monotonic() < stop:
            n += 1
            tag = "%d-%d" % (t, n)
            ak = "AK-%s-%s" % (tag, "x" * 20)
            body = json.dumps({
                "mfaMethod": "duo-web", "enabled": True,
                "host": "h-%s.example.com" % tag, "accessKey": ak,
                "identityAttribute": "email",
                "configProperties": {"skey": "SK-%s-secret" % tag,
                                     "ikey": "IK-%s" % tag}})
            sent = time.monotonic()
            s, j = call("PUT", "/beta/mfa/duo-web/config", body,
                        "application/json")
            acked = s == 200 and j is not None and \
                j.get("host") == "h-%s.example.com" % tag
            with lock:
                log["puts"].append({"host": "h-%s.example.com" % tag,
                                    "ak": ak, "ikey": "IK-%s" % tag,
                                    "sent": sent, "done": time.monotonic(),
                                    "acked": acked})
            name = "c-" + tag
            s, j = call("POST", "/beta/personal-access-tokens",
                        json.dumps({"name": name}), "application/json")
            acked = s == 200 and j is not None and j.get("name") == name
            rec = {"name": name, "acked": acked}
            if acked:
                rec["id"] = j["id"]
                rec["created"] = j["created"]
                mine.append(j["id"])
            with lock:
                log["creates"].append(rec)
            if n % 2 == 0 and mine:
                pid = mine.pop(0)
                s, _ = call("DELETE", "/beta/personal-access-tokens/" + pid)
                with lock:
                    log["deletes"].append({"id": pid, "acked": s == 204})

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(out, "w") as f:
        json.dump(log, f)


if __name__ == "__main__":
    main()
