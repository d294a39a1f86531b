#!/usr/bin/python3
"""A real fleet for the browser tests, driven over stdin/stdout by tests/e2e/fleet.mjs (one JSON
object per line each way). It reuses the integration helpers (tests/integration/peers.py,
pipeline_support.py): an honest chronyd on loopback, a collector with its web console on a free
port, `chronowatch simulate` agents, and a real drift agent whose clock libfaketime sets 10 minutes
ahead, measuring against that chronyd. Commands:
  {"cmd": "inject", "agent_id": ID, "hostname": H, "version": V, "server": S, "attributes": {K: V}}
      → sends one time_drift event as a raw CURVE agent whose key may claim any id, waits for the
        collector's acknowledgement: {"ok": true, "sequence": N, "sent_unix_ns": T}
  {"cmd": "campaign"} → two more simulated agents (camp-0001, camp-0002, authorized with a SIGHUP)
      run `simulate` for a second: both see scans from one source, a campaign incident
      → {"ok": true, "acknowledged": N}
  {"cmd": "stop"} (or end of input) → stops everything by PID: {"ok": true}
Everything started here is stopped on the way out, also on SIGTERM."""
import json
import os
import pathlib
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))

from peers import (Chronyd, Process, faketime_env, free_port, wait_for,  # noqa: E402
                   without_cap_sys_time)
from pipeline_support import CW, Collector, Keys, curve_dealer, simulate  # noqa: E402


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def svarint(value):
    return varint((value << 1) ^ (value >> 63) if value < 0 else value << 1)


def plain(text):
    data = text.encode()
    return varint(len(data)) + data


def literal(text):  # a batch string, never a table reference (docs/wire-format.md §2)
    data = text.encode()
    return varint(len(data) << 1) + data


def hello(agent_id, hostname, version):
    return b"H\x01" + varint(1) + b"\x01\x01" + plain(agent_id) + plain(hostname) + b"\x00" + plain(version)


def drift_batch(sequence, at_ns, server, attributes):
    """One time_drift (type 1), severity high, clock data (server, offset 600 s, delay 1 ms,
    threshold 300 s), with string attributes (docs/wire-format.md §4, §5)."""
    event = bytes([1, 3 | (1 << 3) | (0x20 if attributes else 0)]) + svarint(0) + svarint(0)
    event += varint(0x01 | 0x02 | 0x04 | 0x10) + literal(server)
    event += svarint(600 * 10**9) + svarint(10**6) + svarint(300 * 10**9)
    if attributes:
        event += varint(len(attributes))
        for key, value in attributes.items():
            event += literal(key) + b"\x02" + literal(str(value))
    body = b"\x01\x02" + varint(1) + struct.pack(">q", at_ns) + varint(sequence) + event
    return b"B\x01" + varint(sequence) + body


def read_varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value


class Fleet:
    def __init__(self):
        self.started = []
        self.dealer = None
        self.root = None

    def start(self, sim_agents, sim_rate, sim_duration):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="cw-e2e-"))
        os.chmod(self.root, 0o755)
        self.chronyd = self._keep(Chronyd())
        self.keys = Keys(self.root / "keys", agents=sim_agents, prefix="sim")
        self.keys.authorize(1, "drift")
        self.keys.authorize(1, "xss")
        with open(self.keys.authorized / "xss-0001.pub", "a") as pub:
            pub.write("agents: *\n")  # the injector may speak for any id (docs/pipeline.md)
        self.token = "e2e-" + os.urandom(16).hex()
        token_file = self.root / "web.token"
        token_file.write_text(self.token + "\n")
        os.chmod(token_file, 0o600)
        self.http_port = free_port(socket.SOCK_STREAM)
        self.collector = self._keep(Collector(self.keys, self.root / "events.db", extra=[
            "--http", f"127.0.0.1:{self.http_port}", "--web-token-file", str(token_file),
            "--heartbeat-interval", "2", "--liveness-grace", "2"]))
        wait_for(self._console_answers, timeout=15, what="the console to answer")
        self.simulate = self._keep(simulate(self.keys, self.collector, agents=sim_agents,
                                            rate=sim_rate, duration=sim_duration, drain=5,
                                            background=True))
        self.agent = self._keep(self._drift_agent())

    def _keep(self, thing):
        self.started.append(thing)
        return thing

    def _console_answers(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.http_port)) == 0

    def _drift_agent(self):
        env = faketime_env("+10m")
        argv = [CW, "agent", "--sink", "zmq", "--collector", self.collector.endpoint,
                "--collector-key", str(self.keys.server / "collector.pub"),
                "--key", str(self.keys.agents / "drift-0001.key"), "--agent-id", "drift-0001",
                "--ntp-server", f"127.0.0.1:{self.chronyd.port}", "--poll-interval", "1",
                "--burst", "1", "--repeat-interval", "1", "--repeat-max", "2", "--heartbeat-interval", "1",
                "--spool-dir", str(self.root / "drift-spool")]
        return Process(without_cap_sys_time(argv), env=env, name="drift-agent")

    def describe(self):
        return {"ok": True, "url": f"http://127.0.0.1:{self.http_port}/", "token": self.token,
                "db": str(self.root / "events.db"), "collector": self.collector.endpoint,
                "logs": {"collector": str(self.collector.process.log_path),
                         "agent": str(self.agent.log_path),
                         "simulate": str(self.simulate.log_path)}}

    def inject(self, request):
        if self.dealer is None:
            self.dealer = curve_dealer(self.keys, self.collector, "xss-0001", timeout_ms=5000)
        agent_id = request.get("agent_id", "xss-0001")
        self.dealer.send(hello(agent_id, request.get("hostname", "h"), request.get("version", "1")))
        welcome = self.dealer.recv()
        if not welcome.startswith(b"W"):
            return {"ok": False, "error": f"no welcome: {welcome!r}"}
        sequence = read_varint(welcome, 2)  # the collector says which sequence it expects next
        sent = time.time_ns()
        self.dealer.send(drift_batch(sequence, sent, request.get("server", "127.0.0.1:123"),
                                     request.get("attributes", {})))
        ack = self.dealer.recv()
        if not ack.startswith(b"A"):
            return {"ok": False, "error": f"no ack: {ack!r}"}
        return {"ok": True, "sequence": sequence, "sent_unix_ns": sent}

    def campaign(self, request):
        log = self.collector.process.log
        before = log().count("authorized agent keys")
        self.keys.authorize(2, "camp")
        self.collector.process.send_signal(signal.SIGHUP)
        wait_for(lambda: log().count("authorized agent keys") > before, timeout=10,
                 what="the collector to re-read its authorized keys")
        code, report = simulate(self.keys, self.collector, agents=2, rate=100, duration=1,
                                prefix="camp", drain=10)
        if code != 0:
            return {"ok": False, "error": f"simulate exited {code}: {report}"}
        return {"ok": True, "acknowledged": report.get("acknowledged")}

    def stop(self):
        if self.dealer is not None:
            self.dealer.close()
        for thing in reversed(self.started):
            try:
                thing.stop()
            except Exception as error:  # keep stopping the others
                print(json.dumps({"warning": f"stopping {thing}: {error}"}), file=sys.stderr)
        self.started.clear()
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)


def main():
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    fleet = Fleet()
    signal.signal(signal.SIGTERM, lambda *_: (fleet.stop(), sys.exit(0)))
    try:
        try:
            fleet.start(options.get("agents", 20), options.get("rate", 2), options.get("duration", 600))
        except Exception as error:
            print(json.dumps({"ok": False, "error": f"starting the fleet: {error}"}), flush=True)
            return
        print(json.dumps(fleet.describe()), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if request.get("cmd") == "stop":
                break
            try:
                commands = {"inject": fleet.inject, "campaign": fleet.campaign}
                command = commands.get(request.get("cmd"))
                reply = command(request) if command else {"ok": False, "error": "unknown command"}
            except Exception as error:
                reply = {"ok": False, "error": str(error)}
            print(json.dumps(reply), flush=True)
    finally:
        fleet.stop()
    print(json.dumps({"ok": True}), flush=True)


if __name__ == "__main__":
    main()
