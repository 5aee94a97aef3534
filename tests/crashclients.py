#!/usr/bin/env python3
"""tests/crashclients.py: writers and a responder killer for tests/crash.sh.

usage: crashclients.py [--pat ID SECRET] BASE TOKEN THREADS SECONDS OUT
       SERVERPID [PROG...]

Runs THREADS writer threads for SECONDS against patrol at BASE with the
bearer token TOKEN, and one killer thread that, every 100 to 300 ms, sends
SIGKILL to a live child of process SERVERPID (the web server that spawns
the responders and respawns the ones that die) whose command line names
PROG (default patrol-beta; with several, each in turn): one that is running
when there is one (in a request, likely in its transaction), never the last
one of its PROG alive.

Each writer, in turn: PUTs a Duo configuration whose every field names the
write ("h-T-N.example.com", accessKey "AK-T-N-...", skey "SK-T-N-...",
ikey "IK-T-N"); creates a PAT named "c-T-N" with a scope, a token validity
and an expiry of its own (one in four with a null scope, one in four that
never expires); deletes every other PAT it created.

With --pat, one more thread asks /oauth/token for tokens with that PAT's
client credentials all along (each grant writes the PAT's lastUsed when
pat.last_used_interval is 0), and logs the wall-clock time (ms) at which it
sent the last one that got its token: lastUsed may not be older.

A write is acknowledged when the whole 2xx response was read and says what
was asked; anything else (an error status, a reset, a timeout) leaves it
unacknowledged: it may or may not have happened. Writes JSON to OUT:

  {"puts": [{"body", "sent", "done", "acked"}...],
   "creates": [{"body", "acked", "response"}...],
   "deletes": [{"id", "acked"}...], "statuses": {"200": n, ...},
   "kills": n, "busy_kills": n (of them, running when killed),
   "tokens": n acknowledged, "last_token_ms": ms}

Times are time.monotonic() seconds. Standard library only.
"""
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse

from httpcall import fetch, run_all

SCOPES = ["sp:scopes:all", "idn:mfa-configuration:manage",
          "idn:my-personal-access-tokens:manage", "sp:scopes:default"]


def children(ppid, progs):
    """PIDs of the live children of ppid running one of progs."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        if len(rest) < 2 or rest[1] != str(ppid) or rest[0] in "ZX":
            continue
        if any(p.encode() in cmd for p in progs):
            out.append(int(d))
    return out


def main():
    args = sys.argv[1:]
    pat = None
    if args[:1] == ["--pat"]:
        pat, args = args[1:3], args[3:]
    base, token, threads, seconds, out, server = args[:6]
    progs = args[6:] or ["patrol-beta"]
    u = urllib.parse.urlsplit(base)
    host, port = u.hostname, u.port
    threads, seconds, server = int(threads), float(seconds), int(server)
    lock = threading.Lock()
    log = {"puts": [], "creates": [], "deletes": [], "statuses": {},
           "kills": 0, "busy_kills": 0, "tokens": 0, "last_token_ms": 0}
    stop = time.monotonic() + seconds

    def call(method, path, body=None, ctype=None, auth=True):
        """(status, parsed JSON or None); status 0 when no whole answer."""
        headers = {"Authorization": "Bearer " + token} if auth else {}
        if ctype:
            headers["Content-Type"] = ctype
        status, data = fetch(host, port, method, path, body, headers, 10)
        with lock:
            k = str(status)
            log["statuses"][k] = log["statuses"].get(k, 0) + 1
        try:
            j = json.loads(data) if data else None
        except ValueError:
            j = None
        return status, j

    def worker(t):
        rnd = random.Random(t)
        n = 0
        mine = []
        while time.monotonic() < stop:
            n += 1
            tag = "%d-%d" % (t, n)
            body = {
                "mfaMethod": "duo-web", "enabled": n % 2 == 0,
                "host": "h-%s.example.com" % tag,
                "accessKey": "AK-%s-%s" % (tag, "x" * 20),
                "identityAttribute": "email-%s" % tag,
                "configProperties": {"skey": "SK-%s-%s" % (tag, "y" * 30),
                                     "ikey": "IK-%s" % tag}}
            sent = time.monotonic()
            s, j = call("PUT", "/beta/mfa/duo-web/config",
                        json.dumps(body), "application/json")
            acked = s == 200 and isinstance(j, dict) and \
                j.get("host") == body["host"]
            with lock:
                log["puts"].append({"body": body, "sent": sent,
                                    "done": time.monotonic(),
                                    "acked": acked})
            pat = {"name": "c-" + tag,
                   "accessTokenValiditySeconds": rnd.randint(15, 43200)}
            if n % 4 != 1:
                pat["scope"] = rnd.sample(SCOPES, rnd.randint(1, 3))
            if n % 4 == 2:
                pat["expirationDate"] = None
            else:
                pat["expirationDate"] = time.strftime(
                    "%Y-%m-%dT%H:%M:%S.000Z",
                    time.gmtime(time.time() + rnd.randint(2, 700) * 86400))
            s, j = call("POST", "/beta/personal-access-tokens",
                        json.dumps(pat), "application/json")
            acked = s == 200 and isinstance(j, dict) and \
                j.get("name") == pat["name"]
            rec = {"body": pat, "acked": acked}
            if acked:
                rec["response"] = j
                mine.append(j["id"])
            with lock:
                log["creates"].append(rec)
            if n % 2 == 0 and mine:
                pid = mine.pop(0)
                s, _ = call("DELETE", "/beta/personal-access-tokens/" + pid)
                with lock:
                    log["deletes"].append({"id": pid, "acked": s == 204})

    def tokens():
        form = urllib.parse.urlencode({"grant_type": "client_credentials",
                                       "client_id": pat[0],
                                       "client_secret": pat[1]})
        while time.monotonic() < stop:
            sent = int(time.time() * 1000)
            s, j = call("POST", "/oauth/token", form,
                        "application/x-www-form-urlencoded", auth=False)
            if s == 200 and isinstance(j, dict) and j.get("access_token"):
                with lock:
                    log["tokens"] += 1
                    log["last_token_ms"] = max(log["last_token_ms"], sent)

    def state(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                st = f.read()
        except OSError:
            return "X"
        return st[st.rfind(")") + 2]

    def killer():
        # lighttpd respawns a dead responder within a second: kill one
        # every 100 to 300 ms (of each program in turn), never the last one
        # of its program alive, and one that is running (serving a
        # request, likely inside its transaction) when one is within 50 ms.
        rnd = random.Random()
        turn = 0
        while time.monotonic() < stop:
            time.sleep(rnd.uniform(0.1, 0.3))
            turn += 1
            pids = children(server, [progs[turn % len(progs)]])
            if len(pids) < 2:
                continue
            victim = rnd.choice(pids)
            give_up = time.monotonic() + 0.05
            while time.monotonic() < give_up:
                busy = [p for p in pids if state(p) in "RD"]
                if busy:
                    victim = rnd.choice(busy)
                    log["busy_kills"] += 1
                    break
            try:
                os.kill(victim, signal.SIGKILL)
            except OSError:
                continue
            log["kills"] += 1

    run_all([lambda i=i: worker(i) for i in range(threads)] + [killer] +
            ([tokens] if pat else []))
    with open(out, "w") as f:
        json.dump(log, f)


if __name__ == "__main__":
    main()
