"""Helpers for the alerting tests: a webhook receiver written for them (python http.server in a
thread of the test) that records every POST with its arrival time and can answer 500, stall, be
down, or check the HMAC-SHA256 signature; a drift agent whose libfaketime offset can be changed
while it runs; and reading the collector's alert counters."""
import hashlib
import hmac
import http.server
import json
import threading
import time

from agent_helpers import start_daemon
from peers import LIBFAKETIME, free_port, wait_for
import socket


class WebhookReceiver:
    """POST bodies land in `received` (parsed JSON, headers, monotonic arrival time)."""

    def __init__(self, port=None, secret=None):
        self.port = port or free_port(socket.SOCK_STREAM)
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret = secret
        self.mode = "ok"  # ok | fail (500) | stall (answers after 30 s)
        self.received = []
        self.attempts = []  # every POST as it arrived: (monotonic time, mode, notification id)
        self.bad_signatures = 0
        self.lock = threading.Lock()
        self.server = None
        self.start()

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.attempts.append((time.monotonic(), receiver.mode,
                                              self.headers.get("X-Chronowatch-Notification-Id")))
                if receiver.mode == "stall":
                    time.sleep(30)
                    return
                if receiver.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                if receiver.secret is not None:
                    expected = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                    if self.headers.get("X-Chronowatch-Signature") != expected:
                        with receiver.lock:
                            receiver.bad_signatures += 1
                        self.send_response(401)
                        self.end_headers()
                        return
                with receiver.lock:
                    receiver.received.append({"at": time.monotonic(), "body": json.loads(body),
                                              "headers": dict(self.headers)})
                self.send_response(200)
                self.end_headers()

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def bodies(self):
        with self.lock:
            return [r["body"] for r in self.received]

    def wait_for(self, predicate, timeout, what):
        wait_for(lambda: predicate(self.bodies()), timeout=timeout, what=what)
        return self.bodies()


def alerts_of(bodies, rule=None, status=None):
    out = []
    for body in bodies:
        for alert in body["alerts"]:
            if rule and alert["labels"].get("rule") != rule:
                continue
            if status and alert["status"] != status:
                continue
            out.append(alert)
    return out


class ShiftableClock:
    """A libfaketime offset in a file that the faked program re-reads on every clock call."""

    def __init__(self, path, offset="+0s"):
        self.path = path
        self.set(offset)

    def set(self, offset):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(offset + "\n")
        tmp.replace(self.path)

    def env(self, base):
        env = dict(base)
        env.pop("FAKETIME", None)
        env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME_TIMESTAMP_FILE=str(self.path),
                   FAKETIME_NO_CACHE="1", FAKETIME_DONT_RESET="1",
                   DONT_FAKE_MONOTONIC="1")  # its timers keep running when the offset changes
        return env


def start_agent(env, keys, collector, name, poll=0.5, extra=()):
    return start_daemon(env, "--sink", "zmq", "--collector", collector.endpoint,
                        "--collector-key", str(keys.server / "collector.pub"),
                        "--key", str(keys.agents / f"{name}.key"), "--poll-interval", str(poll),
                        "--burst", "1", "--repeat-interval", "60", *extra)


def alert_stats(collector):
    stats = collector.stats() or {}
    return stats.get("alerts", {})


class Alertmanager:
    """Debian's prometheus-alertmanager on a loopback port, with its own config and storage, no
    clustering; stopped by PID."""

    def __init__(self, directory):
        from peers import Process
        import urllib.request
        self.port = free_port(socket.SOCK_STREAM)
        self.url = f"http://127.0.0.1:{self.port}"
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "alertmanager.yml"
        config.write_text("route:\n  receiver: 'null'\n  group_wait: 1s\n"
                          "receivers:\n  - name: 'null'\n")
        self.process = Process(["/usr/bin/prometheus-alertmanager", f"--config.file={config}",
                                f"--storage.path={directory / 'data'}",
                                f"--web.listen-address=127.0.0.1:{self.port}",
                                "--cluster.listen-address=", "--log.level=warn"],
                               name="alertmanager")

        def ready():
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(ready, timeout=20, what="alertmanager ready")

    def alerts(self):
        import urllib.request
        with urllib.request.urlopen(self.url + "/api/v2/alerts", timeout=5) as r:
            return json.loads(r.read())

    def stop(self):
        self.process.stop()


def post_json(console, path, body):
    """(status, headers, parsed body) of a JSON POST to the console's API (web_support.Console)."""
    return console.get(path, method="POST", body=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json"})
