#!/usr/bin/env python3
"""A stand-in for the platform on loopback, for trying chatdesk_server (scripts/serve.sh).

It accepts send requests (POST /<version>/<phone_number_id>/messages) and
answers with a message id, then posts that message's statuses back to the
server as signed webhooks (sent, delivered, read). A pretend customer writes
first, and answers each reply a few seconds later, so messages flow.

Usage: fake_platform.py --server URL --secret S --number-id ID [--port-file F]
Only the standard library; nothing here is chatdesk's API.
"""
import argparse
import hashlib
import hmac
import http.server
import itertools
import json
import threading
import time
import urllib.request

CUSTOMERS = [("393331234567", "Maria"), ("393339876543", "Luca")]
ANSWERS = ["Thanks! When will it arrive?", "Perfect, thank you.", "Can I change the address?", "Great!"]


class Platform:
    def __init__(self, server, secret, number_id):
        self.server, self.secret, self.number_id = server.rstrip("/"), secret.encode(), number_id
        self.ids = itertools.count(1)
        self.answers = itertools.cycle(ANSWERS)

    def post(self, value):
        body = json.dumps({"object": "whatsapp_business_account",
                           "entry": [{"id": "demo-waba", "changes": [{"field": "messages", "value": dict(
                               {"messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "390551234567",
                                             "phone_number_id": self.number_id}}, **value)}]}]}).encode()
        signature = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.server + "/webhook", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Hub-Signature-256": signature})
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except OSError as e:
            print("fake platform: the server did not take a webhook:", e, flush=True)

    def customer_writes(self, wa_id, name, text):
        self.post({"contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                   "messages": [{"from": wa_id, "id": "wamid.demo.in.%d" % next(self.ids),
                                 "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}]})

    def delivered(self, message_id, to):
        for status in ("sent", "delivered", "read"):
            time.sleep(1)
            self.post({"statuses": [{"id": message_id, "status": status, "timestamp": str(int(time.time())),
                                     "recipient_id": to}]})
        time.sleep(2)
        name = dict(CUSTOMERS).get(to, "Customer")
        self.customer_writes(to, name, next(self.answers))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--number-id", required=True)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    platform = Platform(args.server, args.secret, args.number_id)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            try:
                body = json.loads(self.rfile.read(length))
                to = body["to"].lstrip("+")
            except (ValueError, KeyError):
                self.send_response(400)
                self.end_headers()
                return
            message_id = "wamid.demo.out.%d" % next(platform.ids)
            answer = json.dumps({"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": to}],
                                 "messages": [{"id": message_id}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            print("fake platform: took a %s message for +%s" % (body.get("type"), to), flush=True)
            threading.Thread(target=platform.delivered, args=(message_id, to), daemon=True).start()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(httpd.server_address[1]))

    def first_customers():
        time.sleep(2)
        for wa_id, name in CUSTOMERS:
            platform.customer_writes(wa_id, name, "Ciao! Is my order ready?")

    threading.Thread(target=first_customers, daemon=True).start()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
