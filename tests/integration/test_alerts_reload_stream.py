"""Receivers are hot-reloaded with the rules, and incidents reach the live stream (a real
collector with --alert-rules and its console, webhook receivers written for the tests):
- the rules file changed to name another receiver: the next alerts go there, not to the old one;
- SIGHUP re-makes the receivers: a webhook's new secret (file rewritten in place, the rules file
  unchanged) signs what is sent after it, and the receiver that checks it accepts it;
- a campaign incident (one source scanning two agents) arrives on /api/v1/stream?type=incident
  with its member events, and each member is a stored event the API finds."""
import json
import os
import signal

from alert_support import WebhookReceiver, alerts_of
from peers import wait_for
from pipeline_support import Keys, simulate
from web_support import Console, WebSocket


def rules(path, receivers):
    path.write_text(json.dumps({"receivers": receivers}))  # YAML is a superset of JSON
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # a change the 1 s check sees


def scans_from(bodies, agent):
    return [a for a in alerts_of(bodies, "scan", "firing") if a["labels"].get("agent") == agent]


def test_receivers_follow_the_rules_file_and_sighup_rereads_their_secrets(tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="a")
    keys.authorize(1, "b")
    keys.authorize(1, "c")
    first, second = WebhookReceiver(), WebhookReceiver(secret=b"one")
    secret = tmp_path / "hook.secret"
    secret.write_text("one")
    rules_file = tmp_path / "alerts.yaml"
    rules(rules_file, [{"name": "first", "webhook": first.url}])
    console = Console(keys, tmp_path / "events.db", extra=("--alert-rules", str(rules_file)))
    try:
        code, report = simulate(keys, console.collector, agents=1, rate=100, duration=1,
                                prefix="a")
        assert code == 0, report
        first.wait_for(lambda b: scans_from(b, "a-0001"), 20, "a-0001's scans at the first")

        rules(rules_file, [{"name": "second", "webhook": second.url, "secret_file": str(secret)}])
        wait_for(lambda: "reloaded" in console.collector.process.log()
                 and "receiver first" in console.collector.process.log(), timeout=10,
                 what="the reload that stops the first receiver")
        code, report = simulate(keys, console.collector, agents=1, rate=100, duration=1,
                                prefix="b")
        assert code == 0, report
        second.wait_for(lambda b: scans_from(b, "b-0001"), 20, "b-0001's scans at the second")
        assert not scans_from(first.bodies(), "b-0001"), "the removed receiver still got alerts"
        assert second.bad_signatures == 0

        # a new secret on both sides; the rules file is unchanged, so only SIGHUP re-reads it
        secret.write_text("two")
        second.secret = b"two"
        console.collector.process.send_signal(signal.SIGHUP)
        wait_for(lambda: console.collector.process.log().count("delivering to webhook") >= 3,
                 timeout=10, what="the receivers re-made after SIGHUP")
        code, report = simulate(keys, console.collector, agents=1, rate=100, duration=1,
                                prefix="c")
        assert code == 0, report
        second.wait_for(lambda b: scans_from(b, "c-0001"), 20, "c-0001's scans, signed anew")
        assert second.bad_signatures == 0
        stats = console.collector.stats()["alerts"]
        assert [r["name"] for r in stats["receivers"]] == ["second"], stats
        assert stats["receivers"][0]["failures"] == 0, stats
    finally:
        assert console.stop() == 0, console.collector.process.log()
        first.stop()
        second.stop()


def test_a_campaign_incident_is_streamed_with_its_member_events(tmp_path):
    keys = Keys(tmp_path, agents=2)
    console = Console(keys, tmp_path / "events.db")
    auth = {"Authorization": f"Bearer {console.token}"}
    ws = WebSocket(console.http_port, "/api/v1/stream?type=incident", headers=auth, timeout=30)
    try:
        assert ws.status == 101
        assert ws.recv()["type"] == "hello"
        # both agents see scans from 10.0.0.50: one source, two agents' networks
        code, report = simulate(keys, console.collector, agents=2, rate=100, duration=1)
        assert code == 0, report
        frame = ws.recv()  # a socket timeout here: no incident was streamed
        while frame is not None and frame["type"] != "events":
            frame = ws.recv()
        assert frame is not None, ws.close_reason
        incident = frame["events"][0]["event"]
        assert incident["type"] == "incident" and incident["agent_id"] == "collector"
        attributes = incident["attributes"]
        assert attributes["incident"] == "campaign", incident
        assert set(attributes["agents"].split(",")) == {"sim-0001", "sim-0002"}, incident
        members = attributes["members"].split(",")
        assert len(members) >= 2
        for member in members:
            agent, sequence = member.rsplit(":", 1)
            status, _, found = console.get(f"/api/v1/events/{agent}/{sequence}")
            assert status == 200, (member, found)
            event = found["event"]
            assert event["data"]["source"] == incident["data"]["source"], (member, event)
    finally:
        ws.close()
        assert console.stop() == 0, console.collector.process.log()
