"""The agent's MQTT delivery against a real Mosquitto: alerts fired while the broker is down wait
in the durable spool and arrive in order, once (a QoS-1 redelivery carries the same sequence):
through the seed's minute-long broker outage, and across agent restarts (SIGKILL and SIGTERM)
with alerts in the spool, whose sequences continue instead of starting again at 1; the retained
status topic says online/offline; TLS with a CA the test makes connects, a wrong CA fails with a
clear message. Alerts fire about every second (--repeat-interval 1) while the clock is wrong.
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from agent_helpers import (TOPIC, Subscriber, agent_env, make_ca, private_dir, run_once,
                           start_daemon)
from peers import Mosquitto, free_port, wait_for

FAST_ALERTS = ["--poll-interval", "0.5", "--repeat-interval", "1", "--repeat-max", "1",
               "--mqtt-reconnect-max", "1", "--burst", "1"]


def sequences_in_log(process):
    return [int(n) for n in re.findall(r"event time_drift #(\d+)", process.log())]


def persistent_broker(port, store):
    return Mosquitto(port=port, extra=["persistence true", f"persistence_location {store}/"])


def assert_every_alert_once_in_order(sent, received):
    numbers = [m["sequence"] for m in received]
    unique = list(dict.fromkeys(numbers))               # QoS 1 may repeat; same sequence then
    assert unique == sorted(unique), numbers            # in order
    assert unique == sent, f"sent {sent}, received {numbers}"  # every alert, once
    assert all(m["event"] == "time_drift" for m in received)


def test_a_minute_without_the_broker_loses_nothing(chronyd, workdir):
    """Seed 000's scenario: the broker stops while drift alerts fire and is back a minute later."""
    port = free_port(__import__("socket").SOCK_STREAM)
    store = private_dir("cw-mosquitto-store-")
    env = agent_env(chronyd.port, port, workdir / "spool", faketime="+600s", MQTT_TIMEOUT="5")
    broker = persistent_broker(port, store)
    subscriber = Subscriber(port, session="cw-test-subscriber-minute")
    agent = start_daemon(env, *FAST_ALERTS)
    try:
        subscriber.wait_for_count(2, timeout=20)
        assert len(subscriber.received()) >= 2, agent.log()
        broker.stop()                                   # the broker goes away for a minute
        before = len(sequences_in_log(agent))
        time.sleep(60)
        during = len(sequences_in_log(agent)) - before
        assert agent.alive(), agent.log()
        broker = persistent_broker(port, store)         # ... and comes back
        wait_for(lambda: len(subscriber.received()) >= before + during, timeout=30,
                 what="the alerts spooled during the outage")
        assert agent.stop(signal.SIGTERM) == 0
        sent = sequences_in_log(agent)
        received = subscriber.wait_for_count(len(sent), timeout=20)
    finally:
        agent.stop()
        subscriber.close()
        broker.stop()
        shutil.rmtree(store, ignore_errors=True)
    assert during >= 30, f"only {during} alerts fired while the broker was down"
    assert_every_alert_once_in_order(sent, received)


def test_agent_restarts_with_alerts_in_the_spool_lose_nothing(chronyd, workdir):
    """Alerts spooled while the broker is down survive the agent being killed (SIGKILL) and
    stopped (SIGTERM); each new agent numbers on from the last one; all arrive once, in order."""
    port = free_port(__import__("socket").SOCK_STREAM)
    store = private_dir("cw-mosquitto-store-")
    env = agent_env(chronyd.port, port, workdir / "spool", faketime="+600s", MQTT_TIMEOUT="1")
    broker = persistent_broker(port, store)
    subscriber = Subscriber(port, session="cw-test-subscriber-restarts")
    agents = [start_daemon(env, *FAST_ALERTS)]
    try:
        subscriber.wait_for_count(2, timeout=20)
        assert len(subscriber.received()) >= 2, agents[0].log()
        broker.stop()                                   # the broker goes away ...
        wait_for(lambda: len(sequences_in_log(agents[0])) >= len(subscriber.received()) + 3,
                 timeout=20, what="alerts while the broker is down")
        agents[0].stop(signal.SIGKILL)                  # ... the agent is killed ...
        agents.append(start_daemon(env, *FAST_ALERTS))
        wait_for(lambda: len(sequences_in_log(agents[1])) >= 3, timeout=20, what="second agent")
        assert agents[1].stop(signal.SIGTERM) == 0      # ... restarted and stopped cleanly ...
        assert "wait in the spool" in agents[1].log()
        # The last agent has time to deliver everything when it stops (the others had 1 s, so
        # that their alerts stayed in the spool).
        agents.append(start_daemon(dict(env, MQTT_TIMEOUT="10"), *FAST_ALERTS))
        wait_for(lambda: len(sequences_in_log(agents[2])) >= 2, timeout=20, what="third agent")
        broker = persistent_broker(port, store)         # ... and the broker comes back
        wait_for(lambda: len(sequences_in_log(agents[2])) >= 4, timeout=20, what="more alerts")
        assert agents[2].stop(signal.SIGTERM) == 0
        runs = [sequences_in_log(agent) for agent in agents]
        sent = [n for run in runs for n in run]
        received = subscriber.wait_for_count(len(sent), timeout=30)
    finally:
        for agent in agents:
            agent.stop()
        subscriber.close()
        broker.stop()
        shutil.rmtree(store, ignore_errors=True)
    for earlier, later in zip(runs, runs[1:]):
        assert later[0] == earlier[-1] + 1, runs         # numbering goes on across restarts
    assert_every_alert_once_in_order(sent, received)
    assert "from an earlier run wait in the spool" in agents[2].log()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_status_topic_is_online_then_offline(chronyd, workdir, how):
    """offline is published by the agent on a clean stop, and by the broker (last will) when the
    agent dies without a word."""
    with Mosquitto() as broker:
        status = Subscriber(broker.port, topic=TOPIC + "/status")
        agent = start_daemon(agent_env(chronyd.port, broker.port, workdir / "spool"),
                             "--poll-interval", "1")
        try:
            wait_for(lambda: "online" in [str(m) for m in status.received()], timeout=20,
                     what="online status")
            agent.stop(how)
            wait_for(lambda: status.received()[-1:] == ["offline"], timeout=10,
                     what="offline status")
        finally:
            agent.stop()
            status.close()
    if how == signal.SIGTERM:
        assert agent.popen.returncode == 0


def test_username_and_password(chronyd, workdir):
    passwords = workdir / "passwords"
    subprocess.run(["mosquitto_passwd", "-b", "-c", passwords, "agent1", "s3cret"], check=True)
    os.chmod(passwords, 0o644)  # mosquitto drops root privileges before reading it
    auth = ["allow_anonymous false", f"password_file {passwords}"]
    with Mosquitto(extra=auth) as broker:
        right = agent_env(chronyd.port, broker.port, workdir / "spool", faketime="+600s",
                          MQTT_USERNAME="agent1", MQTT_PASSWORD="s3cret")
        result = run_once(right)
        assert result.returncode == 3, result.stderr  # acknowledged by a broker that checks
        wrong = agent_env(chronyd.port, broker.port, workdir / "spool2", faketime="+600s",
                          MQTT_USERNAME="agent1", MQTT_PASSWORD="wrong", MQTT_TIMEOUT="3")
        result = run_once(wrong)
        assert result.returncode == 5, result.stderr
        assert "the broker refused: not authorized; check MQTT_USERNAME" in result.stderr, \
            result.stderr


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
