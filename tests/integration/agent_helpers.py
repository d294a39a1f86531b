"""Helpers for the drift agent's integration tests: an MQTT subscriber (paho-mqtt), running
`chronowatch agent` with seed 000's environment, and a CA made with the openssl CLI."""
import json
import os
import pathlib
import subprocess
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

from peers import Process, chronowatch_binary, faketime_env

TOPIC = "LAB/time_drift/agent1"


class Subscriber:
    """Collects the JSON messages of one topic at QoS 1. With `session` (a client id), the broker
    keeps the subscription and queues messages while this subscriber or the broker is away
    (the broker needs persistence for the latter)."""

    def __init__(self, port, topic=TOPIC, session=None, tls_ca=None):
        self.messages = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.topic = topic
        self.client = mqtt.Client(client_id=session or "", clean_session=session is None)
        if tls_ca:
            self.client.tls_set(ca_certs=tls_ca)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=1)
        self.client.connect("127.0.0.1", port, keepalive=10)
        self.client.loop_start()
        assert self._subscribed.wait(10), "subscriber could not subscribe"

    def _on_connect(self, client, userdata, flags, rc):
        client.subscribe(self.topic, qos=1)

    def _on_message(self, client, userdata, message):
        try:
            value = json.loads(message.payload)
        except ValueError:
            value = message.payload.decode(errors="replace")  # the status topic's plain text
        with self._lock:
            self.messages.append(value)

    def received(self):
        with self._lock:
            return list(self.messages)

    def wait_for_count(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received()) >= count:
                return self.received()
            time.sleep(0.05)
        return self.received()

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def agent_env(ntp_port, mqtt_port, spool_dir, faketime=None, **extra):
    """Seed 000's variables pointing at our loopback peers (and a private spool)."""
    env = faketime_env(faketime) if faketime else dict(os.environ)
    env.update(NTP_SRV=f"127.0.0.1:{ntp_port}", MQTT_HOST="127.0.0.1", MQTT_PORT=str(mqtt_port),
               MQTT_TOPIC=TOPIC, CW_AGENT_SPOOL_DIR=str(spool_dir), CW_AGENT_ID="agent1")
    # The tamper scan sees every process of this shared machine (and the agent's own faketime):
    # tests of it turn it on (test_agent_tampering.py); the others count only their own alerts.
    env["CW_AGENT_TAMPER_INTERVAL"] = "0"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_once(env, *args, timeout=60):
    return subprocess.run([chronowatch_binary(), "agent", "--once", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def start_daemon(env, *args):
    return Process([chronowatch_binary(), "agent", *args], env=env, name="agent")


def make_ca(directory, name):
    """A CA and a server certificate for 127.0.0.1 signed by it (openssl CLI). Returns paths."""
    d = pathlib.Path(directory)
    ca_key, ca_cert = d / f"{name}-ca.key", d / f"{name}-ca.pem"
    key, csr, cert = d / f"{name}-server.key", d / f"{name}-server.csr", d / f"{name}-server.pem"
    ext = d / f"{name}-ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")

    def run(*argv):
        subprocess.run(["openssl", *argv], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_cert,
        "-days", "2", "-subj", f"/CN=chronowatch test CA {name}")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
        "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-out",
        cert, "-days", "2", "-extfile", ext)
    for path in (ca_key, key):
        os.chmod(path, 0o644)  # mosquitto drops root privileges before reading its key
    return {"ca": ca_cert, "cert": cert, "key": key}


def private_dir(prefix):
    path = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o777)  # mosquitto runs as its own user
    return path
