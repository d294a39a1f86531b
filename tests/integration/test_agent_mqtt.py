"""The agent's MQTT delivery against a real Mosquitto: alerts fired while the broker is down wait
in the durable spool and arrive in order, once (a QoS-1 redelivery carries the same sequence),
also across an agent restart; the retained status topic says online/offline; TLS with a CA the
test makes connects, a wrong CA fails with a clear message.

The seed's scenario restarts the broker "a minute later"; here it is down for ~6 s, which keeps
the test meaningful: several alerts fire while it is away, the agent retries with back-off
(--mqtt-reconnect-max 1), and one agent is restarted in between.
"""
import re
import shutil
import signal
import time

import pytest

from agent_helpers import (TOPIC, Subscriber, agent_env, make_ca, private_dir, run_once,
                           start_daemon)
from peers import Chronyd, Mosquitto, free_port, wait_for

FAST_ALERTS = ["--poll-interval", "0.5", "--repeat-interval", "1", "--repeat-max", "1",
               "--mqtt-reconnect-max", "1", "--burst", "1"]


@pytest.fixture(scope="module")
def chronyd():
    with Chronyd() as server:
        yield server


@pytest.fixture
def workdir():
    path = private_dir("cw-agent-mqtt-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def sequences_in_log(process):
    return [int(n) for n in re.findall(r"event time_drift #(\d+)", process.log())]


def persistent_broker(port, store):
    return Mosquitto(port=port, extra=["persistence true", f"persistence_location {store}/"])


def test_alerts_wait_for_the_broker_and_arrive_in_order_once(chronyd, workdir):
    port = free_port(__import__("socket").SOCK_STREAM)
    store = private_dir("cw-mosquitto-store-")
    spool = workdir / "spool"
    env = agent_env(chronyd.port, port, spool, faketime="+600s", MQTT_TIMEOUT="1")
    broker = persistent_broker(port, store)
    subscriber = Subscriber(port, session="cw-test-subscriber")
    first = start_daemon(env, *FAST_ALERTS)
    second = None
    try:
        subscriber.wait_for_count(2, timeout=20)
        assert len(subscriber.received()) >= 2, first.log()
        broker.stop()                                   # the broker goes away ...
        wait_for(lambda: len(sequences_in_log(first)) >= len(subscriber.received()) + 3,
                 timeout=20, what="alerts while the broker is down")
        first.stop()                                    # ... the agent restarts meanwhile ...
        assert "wait in the spool" in first.log()
        second = start_daemon(env, *FAST_ALERTS)
        time.sleep(2)                                   # (second fires while still unreachable)
        broker = persistent_broker(port, store)         # ... and the broker comes back
        wait_for(lambda: len(sequences_in_log(second)) >= 3, timeout=20, what="second agent alerts")
        second.stop()
        sent = sequences_in_log(first) + sequences_in_log(second)
        received = subscriber.wait_for_count(len(sent), timeout=30)
    finally:
        for agent in (first, second):
            if agent:
                agent.stop()
        subscriber.close()
        broker.stop()
        shutil.rmtree(store, ignore_errors=True)
    numbers = [m["sequence"] for m in received]
    unique = list(dict.fromkeys(numbers))               # QoS 1 may repeat; same sequence then
    assert unique == sorted(unique), numbers            # in order
    assert unique == sent, f"sent {sent}, received {numbers}"  # every alert, once
    assert all(m["event"] == "time_drift" for m in received)
    assert "from an earlier run wait in the spool" in second.log()


def test_status_topic_is_online_then_offline(chronyd, workdir):
    with Mosquitto() as broker:
        status = Subscriber(broker.port, topic=TOPIC + "/status")
        agent = start_daemon(agent_env(chronyd.port, broker.port, workdir / "spool"),
                             "--poll-interval", "1")
        try:
            wait_for(lambda: "online" in [str(m) for m in status.received()], timeout=20,
                     what="online status")
            assert agent.stop(signal.SIGTERM) == 0
            wait_for(lambda: status.received()[-1:] == ["offline"], timeout=10,
                     what="offline status")
        finally:
            agent.stop()
            status.close()


def test_tls_with_the_right_ca_connects_and_a_wrong_ca_fails_clearly(chronyd, workdir):
    good, wrong = make_ca(workdir, "good"), make_ca(workdir, "wrong")
    tls = [f"cafile {good['ca']}", f"certfile {good['cert']}", f"keyfile {good['key']}"]
    with Mosquitto(listener_options=tls) as broker:
        subscriber = Subscriber(broker.port, tls_ca=str(good["ca"]))
        try:
            env = agent_env(chronyd.port, broker.port, workdir / "spool", faketime="+600s",
                            MQTT_TLS_CA=good["ca"])
            result = run_once(env)
            assert result.returncode == 3, result.stderr
            assert subscriber.wait_for_count(1)[0]["event"] == "time_drift"

            env = agent_env(chronyd.port, broker.port, workdir / "spool2", faketime="+600s",
                            MQTT_TLS_CA=wrong["ca"], MQTT_TIMEOUT="3")
            result = run_once(env)
            assert result.returncode == 5, result.stderr  # drift, but not delivered
            assert "ssl://127.0.0.1" in result.stderr
            assert re.search(r"certificate verify failed|TLS", result.stderr), result.stderr
            assert "spool" in result.stderr
        finally:
            subscriber.close()
