"""Alerting through a webhook, against real peers: a drift agent (libfaketime '+600 s', a
loopback chronyd as its server) reporting over ZeroMQ to a collector with --alert-webhook gives
one firing notification in Alertmanager's webhook format (version 4), signed with HMAC-SHA256,
within 2 s of the event being stored; its clock back to honest gives one resolved notification.
The receiver down for a while: every notification delivered once, in order, when it is back.
The collector kill -9'd with notifications in its outbox: delivered after the restart, once."""
import datetime
import json
import signal
import time

from agent_helpers import agent_env
from alert_support import (ShiftableClock, WebhookReceiver, alert_stats, alerts_of, start_agent)
from peers import free_port, wait_for
from pipeline_support import Collector, Keys, run


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def drift_agent(chronyd, spool, tmp_path, keys, collector, name="drift-0001", offset="+600s"):
    clock = ShiftableClock(tmp_path / "offset", offset)
    env = clock.env(agent_env(chronyd.port, free_port(), spool, CW_AGENT_ID=name))
    return clock, start_agent(env, keys, collector, name)


def test_drift_fires_once_within_2s_signed_and_resolves_when_the_clock_is_honest(
        chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="drift")
    secret = tmp_path / "webhook.secret"
    secret.write_text("s3cret\n")
    receiver = WebhookReceiver(secret=b"s3cret")
    collector = Collector(keys, tmp_path / "events.db",
                          extra=["--alert-webhook", receiver.url,
                                 "--alert-webhook-secret-file", str(secret)])
    clock, agent = drift_agent(chronyd, spool, tmp_path, keys, collector)
    try:
        bodies = receiver.wait_for(lambda b: alerts_of(b, "time_drift", "firing"), 30,
                                   "a firing time_drift notification")
        arrival = time.time()
        body = next(b for b in bodies if alerts_of([b], "time_drift"))
        assert body["version"] == "4"
        assert body["status"] == "firing"
        assert body["groupKey"] == 'time_drift{agent="drift-0001"}'
        alert = body["alerts"][0]
        assert alert["labels"]["alertname"] == "time_drift"
        assert alert["labels"]["agent"] == "drift-0001"
        assert alert["labels"]["severity"] in ("medium", "high", "critical")
        assert "drift-0001" in alert["annotations"]["summary"]
        assert alert["endsAt"] == "0001-01-01T00:00:00Z"
        # Stored and observed at first_seen (the collector's honest clock); here within 2 s.
        first_seen = parse_time(alert["annotations"]["first_seen"])
        assert arrival - first_seen < 2.0, (arrival, first_seen)
        headers = receiver.received[0]["headers"]
        assert headers["X-Chronowatch-Notification-Id"] == body["notificationId"]
        clock.set("+0s")
        bodies = receiver.wait_for(lambda b: alerts_of(b, "time_drift", "resolved"), 40,
                                   "the resolved notification")
        resolved = alerts_of(bodies, "time_drift", "resolved")
        assert len(resolved) == 1, bodies
        assert resolved[0]["annotations"]["resolved_by"] == "time_drift_cleared"
        assert resolved[0]["annotations"]["alert_id"] == alert["annotations"]["alert_id"]
        assert parse_time(resolved[0]["endsAt"]) >= parse_time(resolved[0]["startsAt"])
        time.sleep(0)  # nothing more to wait for: count what came
        assert len(alerts_of(receiver.bodies(), "time_drift", "firing")) == 1, receiver.bodies()
        assert receiver.bad_signatures == 0
        wait_for(lambda: any(r["delivered"] >= 2 for r in alert_stats(collector).get("receivers", [])),
                 timeout=5, what="the delivered counter")
    finally:
        agent.stop()
        assert collector.stop() == 0, collector.process.log()
        receiver.stop()


DOWN_SECONDS = float(__import__("os").environ.get("CW_ALERT_DOWN_SECONDS", "60"))


def waiting_ids(outbox):
    """Notification ids waiting in the collector's outbox, in the order they will be delivered."""
    import sqlite3
    with sqlite3.connect(f"file:{outbox}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT notification_id FROM outbox ORDER BY id")]


def received_ids(receiver):
    return [b["notificationId"] for b in receiver.bodies()]


def collector_with_receiver(keys, tmp_path, receiver, port=None):
    return Collector(keys, tmp_path / "events.db", port=port,
                     extra=["--alert-webhook", receiver.url, "--alert-retry-max", "2",
                            "--alert-timeout", "2"])


def raise_alerts(keys, collector):
    """Simulated agents: every 50th event is a high port scan from its own source (an alert that
    fires and, being its final report, resolves), the rest low drift (tracked, not notified)."""
    from pipeline_support import simulate
    code, report = simulate(keys, collector, agents=2, rate=100, duration=2)
    assert code == 0, report


def test_a_receiver_down_then_back_gets_every_notification_once_in_order(tmp_path):
    keys = Keys(tmp_path, agents=2)
    receiver = WebhookReceiver()
    receiver.stop()  # down: its port refuses connections
    collector = collector_with_receiver(keys, tmp_path, receiver)
    outbox = f"{tmp_path / 'events.db'}.alerts-outbox"
    try:
        down_since = time.monotonic()
        raise_alerts(keys, collector)
        wait_for(lambda: any(r["failures"] >= 2 for r in alert_stats(collector).get("receivers", [])),
                 timeout=20, what="failed deliveries")
        expected = waiting_ids(outbox)
        assert len(expected) >= 8, expected  # 4 scans × (firing, resolved), and more
        time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_since)))  # the outage itself
        assert waiting_ids(outbox) == expected  # nothing lost or reordered while it was down
        receiver.start()
        wait_for(lambda: len(received_ids(receiver)) >= len(expected), timeout=30,
                 what="every notification delivered")
        time.sleep(1)  # a duplicate would come now
        assert received_ids(receiver) == expected
        assert waiting_ids(outbox) == []
        scans = alerts_of(receiver.bodies(), "scan")
        assert {a["status"] for a in scans} == {"firing", "resolved"}
    finally:
        assert collector.stop() == 0, collector.process.log()
        receiver.stop()


def test_kill_9_with_notifications_in_the_outbox_delivers_them_after_restart_once(tmp_path):
    keys = Keys(tmp_path, agents=2)
    receiver = WebhookReceiver()
    receiver.stop()
    collector = collector_with_receiver(keys, tmp_path, receiver)
    outbox = f"{tmp_path / 'events.db'}.alerts-outbox"
    raise_alerts(keys, collector)
    wait_for(lambda: len(waiting_ids(outbox)) >= 8, timeout=20, what="notifications in the outbox")
    time.sleep(0.5)
    expected = waiting_ids(outbox)
    collector.stop(signal.SIGKILL)
    receiver.start()
    restarted = collector_with_receiver(keys, tmp_path, receiver, port=collector.port)
    try:
        wait_for(lambda: len(received_ids(receiver)) >= len(expected), timeout=30,
                 what="the outbox delivered after the restart")
        time.sleep(1)
        assert received_ids(receiver) == expected
        assert waiting_ids(outbox) == []
    finally:
        assert restarted.stop() == 0, restarted.process.log()
        receiver.stop()
