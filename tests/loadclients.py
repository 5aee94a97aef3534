#!/usr/bin/env python3
"""tests/loadclients.py: the API side of tests/writers.sh.

THREADS threads for SECONDS against BASE: each in turn asks /oauth/token for
a token with the PAT ID/SECRET (each grant writes its lastUsed when
pat.last_used_interval is 0) and PUTs the Duo configuration with TOKEN.
Writes JSON to OUT: {"token": {status: n}, "put": {status: n},
"slowest": seconds, "count": n}. Standard library only.
"""
import json
import sys
import threading
import time
import urllib.parse

from httpcall import fetch, run_all


def main():
    base, token, pid, secret, threads, seconds, out = sys.argv[1:8]
    u = urllib.parse.urlsplit(base)
    threads, seconds = int(threads), float(seconds)
    lock = threading.Lock()
    res = {"token": {}, "put": {}, "slowest": 0.0, "count": 0}
    stop = time.monotonic() + seconds
    form = urllib.parse.urlencode({"grant_type": "client_credentials",
                                   "client_id": pid,
                                   "client_secret": secret})

    def call(kind, method, path, body, headers):
        t0 = time.monotonic()
        status, _ = fetch(u.hostname, u.port, method, path, body, headers,
                          30)
        dt = time.monotonic() - t0
        with lock:
            k = str(status)
            res[kind][k] = res[kind].get(k, 0) + 1
            res["slowest"] = max(res["slowest"], dt)
            res["count"] += 1

    def worker(t):
        n = 0
        while time.monotonic() < stop:
            n += 1
            call("token", "POST", "/oauth/token", form,
                 {"Content-Type": "application/x-www-form-urlencoded"})
            body = json.dumps({"mfaMethod": "duo-web", "enabled": True,
                               "host": "w-%d-%d.example.com" % (t, n),
                               "accessKey": "AK-writers-%d-%d" % (t, n),
                               "identityAttribute": "email",
                               "configProperties": {"skey": "SK-%d" % n,
                                                    "ikey": "IK"}})
            call("put", "PUT", "/beta/mfa/duo-web/config", body,
                 {"Content-Type": "application/json",
                  "Authorization": "Bearer " + token})

    run_all([lambda i=i: worker(i) for i in range(threads)])
    with open(out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
