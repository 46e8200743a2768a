#!/usr/bin/env python3
"""Load over loopback: 20,000 signed webhook posts from 8 client threads.

Checks that none is lost (every message applied once), that posting 2,000 of
them again applies nothing (all duplicates), that the inbox then holds every
customer, and that the server's memory stays bounded. Prints the figures the
load client measured (posts a second, latency percentiles) and the server's
resident memory; timings are reported, never asserted.

Usage: test_load.py PATH/TO/chatdesk_server PATH/TO/chatdesk_server_load WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import urllib.request

SECRET = "load-secret"
TOKEN = "load-token"
# Live support on (CHATDESK_LOAD_AGENTS=1) adds a step per new message: routing it to an agent.
AGENTS = ["--agents", "giulia:Giulia,marco:Marco"] if os.environ.get("CHATDESK_LOAD_AGENTS") == "1" else []


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    server, load, work = sys.argv[1], sys.argv[2], sys.argv[3]
    posts = int(os.environ.get("CHATDESK_LOAD_POSTS", "20000"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shop = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shop.json")
    proc = subprocess.Popen([server, "--dir", os.path.join(work, "state"), "--port", "0", "--business", shop,
                             "--app-secret", SECRET, "--token", TOKEN] + AGENTS,
                            stdout=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().strip().rsplit(" ", 1)[1]
        before = rss_kib(proc.pid)
        half = subprocess.run([load, "--url", base, "--secret", SECRET, "--posts", str(posts // 2),
                               "--customers", "2000", "--retries", "0"], capture_output=True, text=True, check=True)
        middle = rss_kib(proc.pid)
        out = subprocess.run([load, "--url", base, "--secret", SECRET, "--posts", str(posts), "--customers", "2000",
                              "--retries", "2000"], capture_output=True, text=True)
        after = rss_kib(proc.pid)
        figures = json.loads(out.stdout)
        print("load, %d new messages:" % (posts // 2), half.stdout.strip())
        print("load, %d posts, half of them repeats:" % posts, json.dumps(figures))
        print("server memory: %d KiB at start, %d KiB after %d posts, %d KiB after %d more" %
              (before, middle, posts // 2, after, posts))
        # The first run posted bodies 0..posts/2 - 1; the second posts all of them: those are duplicates.
        first = json.loads(half.stdout)
        assert first["errors"] == 0 and first["messages"] == posts // 2, first
        assert figures["errors"] == 0 and figures["retried_errors"] == 0, figures
        assert figures["messages"] == posts - posts // 2, "every new message applied once: %s" % figures
        assert figures["duplicates"] == posts // 2, "every message posted before is a duplicate: %s" % figures
        assert figures["retried_messages"] == 0 and figures["retried_duplicates"] == figures["retried"], figures
        request = urllib.request.Request(base + "/api/conversations", headers={"Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(request, timeout=60) as r:
            conversations = json.loads(r.read())["conversations"]
        assert len(conversations) == 2000, "every customer has a conversation: %d" % len(conversations)
        # Bounded: the second run, twice as long, must not grow the server as much again.
        assert after - middle < 200 * 1024, "the server grew by %d KiB" % (after - middle)
        print("load: all checks passed")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
