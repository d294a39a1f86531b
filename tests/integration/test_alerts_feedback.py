"""The feedback loop through the console's REST API (a real collector with --http and a webhook
receiver): list the alerts, acknowledge one, mark a scan alert a false positive for its source —
the next identical alert (the same rule and source, from another agent) is suppressed, not
notified, and the counts say so in the API and in /metrics; silences are created and expired."""

from alert_support import WebhookReceiver, alerts_of, post_json as post
from peers import wait_for
from pipeline_support import Keys, simulate
from web_support import Console


def scan_alerts(console):
    status, _, body = console.get("/api/v1/alerts")
    assert status == 200, body
    return [a for a in body["alerts"] if a["rule"] == "scan"], body


def test_a_false_positive_marked_through_the_api_suppresses_the_next_identical_alert(tmp_path):
    keys = Keys(tmp_path, agents=2)
    receiver = WebhookReceiver()
    console = Console(keys, tmp_path / "events.db", extra=("--alert-webhook", receiver.url))
    try:
        # sim-0001: events 1..100, scans (high) from 10.0.0.50 and 10.0.0.100
        code, report = simulate(keys, console.collector, agents=1, rate=100, duration=1)
        assert code == 0, report
        wait_for(lambda: len(scan_alerts(console)[0]) >= 2, timeout=20, what="two scan alerts")
        alerts, _ = scan_alerts(console)
        target = next(a for a in alerts if a["labels"]["source"] == "10.0.0.50")
        assert target["labels"]["agent"] == "sim-0001"

        status, _, acked = post(console, f"/api/v1/alerts/{target['id']}/ack", {"by": "ana"})
        assert status == 200 and acked["alert"]["acknowledged"], acked
        status, _, made = post(console, f"/api/v1/alerts/{target['id']}/false-positive",
                               {"reason": "our vulnerability scanner", "scope": "source",
                                "expires": "24h", "by": "ana"})
        assert status == 200, made
        suppression = made["suppression"]
        assert suppression["rule"] == "scan" and suppression["match"] == {"source": "10.0.0.50"}
        assert post(console, "/api/v1/alerts/nope/ack", {})[0] == 404
        assert post(console, f"/api/v1/alerts/{target['id']}/false-positive",
                    {"scope": "planet"})[0] == 400

        notified_before = len(alerts_of(receiver.bodies(), "scan", "firing"))
        # sim-0002 repeats it: the same scan from 10.0.0.50 (suppressed) and from 10.0.0.100.
        code, report = simulate(keys, console.collector, agents=2, rate=100, duration=1)
        assert code == 0, report

        def suppressed():
            _, _, body = console.get("/api/v1/suppressions")
            return body["suppressions"][0]["suppressed"]

        wait_for(lambda: suppressed() >= 1, timeout=20, what="the suppression to count")
        alerts, body = scan_alerts(console)
        assert not [a for a in alerts if a["labels"]["agent"] == "sim-0002"
                    and a["labels"]["source"] == "10.0.0.50"]
        assert [a for a in alerts if a["labels"].get("agent") == "sim-0002"
                and a["labels"]["source"] == "10.0.0.100"]
        counts = body["by_rule"]["scan"]
        assert counts["false_positive"] == 1 and counts["acknowledged"] == 1, counts
        assert counts["suppressed"] == 1, counts
        assert body["by_detector"]["port_scan"]["suppressed"] == 1
        wait_for(lambda: len(alerts_of(receiver.bodies(), "scan", "firing")) > notified_before,
                 timeout=20, what="the other scans notified")
        firing = alerts_of(receiver.bodies(), "scan", "firing")
        assert not [a for a in firing if a["labels"]["agent"] == "sim-0002"
                    and a["labels"]["source"] == "10.0.0.50"], firing

        status, _, metrics = console.get("/metrics")
        assert status == 200
        assert 'chronowatch_alerts_suppressed_by_rule_total{rule="scan"} 1' in metrics, metrics
        assert 'chronowatch_alerts_false_positive_by_detector_total{detector="port_scan"} 1' in metrics
        assert "chronowatch_alert_notifications_delivered_total{" in metrics

        status, _, silence = post(console, "/api/v1/silences",
                                  {"match": "agent=sim-*", "duration": "2h", "comment": "test"})
        assert status == 200, silence
        sid = silence["silence"]["id"]
        assert [s["id"] for s in console.get("/api/v1/silences")[2]["silences"]] == [sid]
        assert post(console, "/api/v1/silences", {"match": "agnet=x", "duration": "1h"})[0] == 400
        assert console.get(f"/api/v1/silences/{sid}", method="DELETE")[0] == 200
        assert console.get(f"/api/v1/suppressions/{suppression['id']}", method="DELETE")[0] == 200
        assert console.get("/api/v1/suppressions")[2]["suppressions"] == []
        assert console.get("/api/v1/alerts", token=None)[0] == 401
    finally:
        assert console.stop() == 0, console.collector.process.log()
        receiver.stop()
