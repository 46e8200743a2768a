#!/usr/bin/env python3
"""End to end over loopback: chatdesk_server and a fake platform written here.

Posts signed webhooks (valid, tampered, retried, batched), replies through the
API inside and outside the service window, checks that the fake platform
received exactly the allowed sends (one of them after a 503 and a retry),
sends hostile requests, restarts the server and checks that its state survived.

Usage: test_server.py PATH/TO/chatdesk_server WORK_DIR
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SECRET = "app-secret-for-tests"
TOKEN = "inbox-token-for-tests"
NUMBER_ID = "106540352242922"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
ZENDESK_SECRET = "zendesk-secret-for-tests"


def twilio_signature(url, params):
    """Twilio's scheme: Base64 of HMAC-SHA1 over the URL and each name and value, sorted by name."""
    text = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), text.encode(), hashlib.sha1).digest()).decode()


class FakePlatform(http.server.ThreadingHTTPServer):
    """Accepts send requests; answers the first with 503 to make the server retry."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakePlatform.Handler)
        self.requests = []
        self.accepted = []
        self.lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            server = self.server
            with server.lock:
                server.requests.append((self.path, self.headers.get("Authorization"), body))
                first = len(server.requests) == 1
                if not first:
                    server.accepted.append(body)
                    n = len(server.accepted)
            if first:
                self.send_response(503)
                self.end_headers()
                return
            answer = json.dumps({"messaging_product": "whatsapp",
                                 "contacts": [{"input": body["to"], "wa_id": body["to"].lstrip("+")}],
                                 "messages": [{"id": "wamid.fake.%d" % n}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)


def start_server(binary, work, platform_port, first=True):
    args = [binary, "--dir", os.path.join(work, "state"), "--port", "0", "--app-secret", SECRET,
            "--token", TOKEN, "--verify-token", "verify-me",
            "--platform", "http://127.0.0.1:%d/v21.0" % platform_port, "--platform-token", "platform-token",
            "--max-body", "65536", "--twilio-auth-token", TWILIO_TOKEN, "--zendesk-secret", ZENDESK_SECRET,
            "--agents", "giulia:Giulia,marco:Marco"]
    if first:
        args += ["--business", os.path.join(os.path.dirname(os.path.abspath(__file__)), "shop.json")]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit("server did not start: %r %s" % (line, proc.stderr.read()))
    return proc, line.strip().rsplit(" ", 1)[1]


def request(method, url, body=None, headers=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def api(method, base, path, body=None):
    headers = {"Authorization": "Bearer " + TOKEN}
    if body is not None:
        headers["Content-Type"] = "application/json"
    status, text = request(method, base + path, body, headers)
    return status, json.loads(text)


def signed(body):
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": "sha256=" + digest, "Content-Type": "application/json"}


def webhook(messages):
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "390551234567", "phone_number_id": NUMBER_ID},
             "contacts": [{"profile": {"name": m["name"]}, "wa_id": m["from"]} for m in messages],
             "messages": [{"from": m["from"], "id": m["id"], "timestamp": str(m["at"]), "type": "text",
                           "text": {"body": m["text"]}} for m in messages]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
                      ).encode()


def check(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)
    print("ok:", what)


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    platform = FakePlatform()
    threading.Thread(target=platform.serve_forever, daemon=True).start()
    proc, base = start_server(binary, work, platform.server_address[1])
    try:
        now = int(time.time())
        status, text = request("GET", base + "/webhook?hub.mode=subscribe&hub.challenge=8812&hub.verify_token=verify-me")
        check(status == 200 and text == "8812", "the handshake answers the challenge")
        status, _ = request("GET", base + "/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess")
        check(status == 403, "a wrong verify token is refused")

        maria = {"from": "393331234567", "id": "wamid.in.1", "at": now - 60, "text": "Is my order ready?",
                 "name": "Maria"}
        body = webhook([maria])
        status, text = request("POST", base + "/webhook", body, signed(body))
        check(status == 200 and json.loads(text)["messages"] == 1, "a signed webhook is applied")
        status, text = request("POST", base + "/webhook", body, signed(body))
        check(status == 200 and json.loads(text)["duplicates"] == 1 and json.loads(text)["messages"] == 0,
              "the same webhook retried is applied once")
        tampered = body.replace(b"ready", b"READY")
        status, text = request("POST", base + "/webhook", tampered, signed(body))
        check(status == 401 and json.loads(text)["error"]["code"].startswith("signature."),
              "a tampered body is refused with 401")
        status, text = request("POST", base + "/webhook", b"{not json", signed(b"{not json"))
        check(status == 400 and "error" in json.loads(text), "a malformed body gets 400 and a JSON error")

        luca = {"from": "393339876543", "id": "wamid.in.2", "at": now - 30, "text": "<script>alert(1)</script>",
                "name": "Luca"}
        old = {"from": "393335550000", "id": "wamid.in.3", "at": now - 25 * 3600, "text": "Hello from yesterday",
               "name": "Anna"}
        body = webhook([luca, old])
        status, text = request("POST", base + "/webhook", body, signed(body))
        check(status == 200 and json.loads(text)["messages"] == 2, "a batched webhook applies every message")

        with urllib.request.urlopen(base + "/", timeout=10) as r:
            page = r.read().decode()
            csp = r.headers.get("Content-Security-Policy", "")
        check("<title>chatdesk inbox</title>" in page and "default-src 'self'" in csp,
              "the inbox page is served with a content security policy")
        status, _ = request("GET", base + "/api/events")
        check(status == 401, "the event stream needs the token")

        # A live update: a stream opened before a customer writes sees the message.
        seen = []
        stream = urllib.request.urlopen(base + "/api/events?token=" + TOKEN, timeout=10)

        def read_stream():
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("data:"):
                    seen.append(json.loads(line[5:]))
                    return

        reader = threading.Thread(target=read_stream, daemon=True)
        reader.start()
        time.sleep(0.3)
        body = webhook([{"from": "393337770000", "id": "wamid.in.live", "at": now - 5, "text": "Live?",
                         "name": "Sara"}])
        status, _ = request("POST", base + "/webhook", body, signed(body))
        reader.join(timeout=10)
        stream.close()
        check(seen and seen[0]["kind"] == "message" and seen[0]["customer"] == "+393337770000",
              "the event stream tells of a new message as it comes")

        # Twilio's callback, signed over the URL and its parameters; then tampered.
        params = {"MessageSid": "SM0001", "AccountSid": "AC0001", "From": "whatsapp:+393338880000",
                  "To": "whatsapp:+390559876543", "Body": "Ciao da Twilio", "ProfileName": "Rita", "NumMedia": "0",
                  "WaId": "393338880000", "SmsStatus": "received", "MessageType": "text"}
        form = urllib.parse.urlencode(params).encode()
        headers = {"X-Twilio-Signature": twilio_signature(base + "/twilio", params),
                   "Content-Type": "application/x-www-form-urlencoded"}
        status, text = request("POST", base + "/twilio", form, headers)
        check(status == 200 and json.loads(text)["messages"] == 1, "a signed Twilio callback is applied")
        status, text = request("POST", base + "/twilio", form.replace(b"Ciao", b"Addio"), headers)
        check(status == 401, "a tampered Twilio callback is refused")
        zendesk = json.dumps({"app": {"id": "app1"}, "webhook": {"id": "wh1", "version": "v2"}, "events": []}).encode()
        status, _ = request("POST", base + "/zendesk", zendesk,
                            {"X-API-Key": ZENDESK_SECRET, "Content-Type": "application/json"})
        check(status == 200, "a Zendesk webhook with its secret is accepted")
        status, _ = request("POST", base + "/zendesk", zendesk, {"X-API-Key": "guess", "Content-Type": "application/json"})
        check(status == 401, "a Zendesk webhook with the wrong secret is refused")

        status, listing = api("GET", base, "/api/conversations")
        customers = {c["customer"]: c for c in listing["conversations"]}
        check(status == 200 and len(customers) == 5, "the inbox lists five conversations")
        check(customers["+393331234567"]["window_open"] and not customers["+393335550000"]["window_open"],
              "the inbox knows which windows are open")
        check(customers["+393339876543"]["last_text"] == "<script>alert(1)</script>",
              "customer text comes back as data, unchanged")

        status, sent = api("POST", base, "/api/reply", {"customer": "+393331234567", "text": "Yes, it ships today."})
        check(status == 200 and sent["message_id"] == "wamid.fake.1", "a reply inside the window is sent")
        check(len(platform.requests) == 2 and len(platform.accepted) == 1,
              "the server retried after the platform's 503, and the platform took one send")
        path, auth, payload = platform.requests[-1]
        check(path == "/v21.0/%s/messages" % NUMBER_ID and auth == "Bearer platform-token"
              and payload["to"] == "+393331234567" and payload["text"]["body"] == "Yes, it ships today.",
              "the send request is the platform's, with the bearer token")

        status, refused = api("POST", base, "/api/reply", {"customer": "+393335550000", "text": "Still there?"})
        check(status == 409 and refused["error"]["code"] and "window" in refused["error"]["message"],
              "a reply outside the window is refused with the desk's reason: " + refused["error"]["message"])
        check(len(platform.accepted) == 1, "the platform received only the allowed send")

        # Live support: the conversation went to an agent, whose reply meets the first-response target.
        status, listing = api("GET", base, "/api/conversations")
        maria_row = next(c for c in listing["conversations"] if c["customer"] == "+393331234567")
        holder = maria_row["support"]["agent"]
        check(maria_row["support"]["status"] == "open" and holder in ("giulia", "marco")
              and maria_row["support"]["sla"]["first_response"]["state"] == "running",
              "a new conversation went to an agent with the first-response clock running")
        other = "marco" if holder == "giulia" else "giulia"
        status, refused = api("POST", base, "/api/reply", {"customer": "+393331234567", "agent": other, "text": "Hi"})
        check(status == 409 and refused["error"]["code"] == "support.not_holder",
              "an agent who does not hold the conversation cannot answer it")
        status, sent = api("POST", base, "/api/reply", {"customer": "+393331234567", "agent": holder,
                                                         "text": "Giulia or Marco here: it ships tomorrow."})
        check(status == 200, "the holder answers")
        status, listing = api("GET", base, "/api/conversations")
        maria_row = next(c for c in listing["conversations"] if c["customer"] == "+393331234567")
        check(maria_row["support"]["sla"]["first_response"]["state"] == "met", "the first response is met")
        status, moved = api("POST", base, "/api/assign", {"customer": "+393331234567", "agent": other})
        check(status == 200 and moved["agent"] == other, "the conversation is assigned to the other agent")
        status, agents = api("GET", base, "/api/agents")
        check(status == 200 and {a["id"] for a in agents["agents"]} == {"giulia", "marco"}, "the agents are listed")
        before = len(platform.accepted)
        status, survey = api("POST", base, "/api/survey", {"customer": "+393331234567"})
        check(status == 200 and not survey["as_template"] and len(platform.accepted) == before + 1
              and platform.accepted[-1]["type"] == "interactive", "the survey goes out as a list inside the window")
        status, _ = api("POST", base, "/api/resolve", {"customer": "+393331234567"})
        status2, listing = api("GET", base, "/api/conversations")
        maria_row = next(c for c in listing["conversations"] if c["customer"] == "+393331234567")
        check(status == 200 and maria_row["support"]["status"] == "resolved", "the conversation is resolved")
        status, bad = api("POST", base, "/api/assign", {"customer": "+393331234567", "agent": "nobody"})
        check(status == 409 and bad["error"]["code"].startswith("support."), "assigning a resolved conversation is refused: " + bad["error"]["message"])

        status, listing = api("GET", base, "/api/templates")
        names = {(x["name"], x["language"]) for x in listing["templates"]}
        check(status == 200 and ("delivery_notice", "en_US") in names, "the approved templates are listed")
        status, failed = api("POST", base, "/api/template", {"customer": "+393335550000", "name": "delivery_notice",
                                                              "language": "en_US", "values": {}})
        check(status == 400 and failed["error"]["code"] == "template.missing_parameter",
              "a template without its values is refused: " + failed["error"]["message"])
        delivery = next(x for x in listing["templates"] if (x["name"], x["language"]) == ("delivery_notice", "en_US"))
        values = {v: "x" for v in delivery["variables"]}
        buttons = {str(b["index"]): "A-1" for b in delivery["button_variables"]}
        status, sent = api("POST", base, "/api/template", {"customer": "+393335550000", "name": "delivery_notice",
                                                            "language": "en_US", "values": values, "buttons": buttons})
        check(status == 200 and platform.accepted[-1]["type"] == "template",
              "a template goes out once the window closed")
        # The platform says it was delivered: it is charged, under every model, as the costs show.
        delivered = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp",
                                            "metadata": {"display_phone_number": "390551234567",
                                                         "phone_number_id": NUMBER_ID},
                                            "statuses": [{"id": sent["message_id"], "status": "delivered",
                                                          "timestamp": str(int(time.time())),
                                                          "recipient_id": "393335550000"}]}}]}]}).encode()
        status, text = request("POST", base + "/webhook", delivered, signed(delivered))
        check(status == 200 and json.loads(text)["statuses"] == 1, "the template's delivery is applied")
        status, costs = api("GET", base, "/api/costs")
        by_model = {m["model"]: m for m in costs["models"]}
        check(status == 200 and set(by_model) == {"legacy_2018", "cbp_2023", "pmp_2025", "pmp_2026_10"},
              "the costs are priced under the four models")
        utility = [d for d in by_model["pmp_2026_10"]["days"] if d["category"] == "utility" and d["market"] == "Italy"]
        check(utility and float(utility[0]["amount"]) > 0 and float(by_model["pmp_2026_10"]["total"]) > 0,
              "the delivered utility template costs something in Italy: %s" % by_model["pmp_2026_10"]["total"])
        totals_before = {m["model"]: m["total"] for m in costs["models"]}
        status, missing = api("POST", base, "/api/template", {"customer": "+393335550000", "name": "nope",
                                                               "language": "en_US"})
        check(status == 404, "an unknown template gets 404")

        status, typed = api("POST", base, "/api/reply", {"customer": "+393331234567", "text": "x", "business": 7})
        check(status == 400 and typed["error"]["code"] == "server.bad_request",
              "a field of the wrong type gets 400: " + typed["error"]["message"])
        status, _ = api("POST", base, "/api/reply", {"customer": "+393331234567"})
        check(status == 400, "a reply without text gets 400")
        status, text = request("POST", base + "/api/reply", b"x" * 100000,
                               {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
        check(status == 413, "a body over the limit gets 413")
        status, text = request("GET", base + "/api/conversations", headers={"Authorization": "Bearer wrong"})
        check(status == 401 and json.loads(text)["error"]["code"] == "server.unauthorised", "a wrong token gets 401")

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        proc, base = start_server(binary, work, platform.server_address[1], first=False)
        status, listing = api("GET", base, "/api/conversations")
        check(status == 200 and len(listing["conversations"]) == 5, "after a restart the inbox is the same")
        status, transcript = api("GET", base, "/api/transcript?customer=%2B393331234567")
        texts = [(m["direction"], m.get("text")) for m in transcript["messages"]]
        check(texts[:2] == [("inbound", "Is my order ready?"), ("outbound", "Yes, it ships today.")]
              and len(texts) == 4, "after a restart the transcript is the same")
        body = webhook([maria])
        status, text = request("POST", base + "/webhook", body, signed(body))
        check(status == 200 and json.loads(text)["duplicates"] == 1,
              "a webhook retried after the restart is still a duplicate")
        status, costs = api("GET", base, "/api/costs")
        check({m["model"]: m["total"] for m in costs["models"]} == totals_before,
              "after a restart the month's costs are the same under every model")
    finally:
        proc.kill()
        platform.shutdown()
    print("end to end: all checks passed")


if __name__ == "__main__":
    main()
