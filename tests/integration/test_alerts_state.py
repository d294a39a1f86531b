"""The operator's state of alerting survives a collector restart, on both store engines (SQLite,
and a real PostgreSQL 15 started by the test): an acknowledged open alert, a false positive with
its reason (and the suppression it made), a silence, and the per-rule counts are all there again
after the collector is SIGKILLed right after the API answered; the suppression still keeps the
next identical alert from firing, and nothing notified before the restart is notified again."""
import signal
import socket

import pytest

from alert_support import WebhookReceiver, alerts_of, post_json as post
from peers import Postgres, free_port, wait_for
from pipeline_support import Keys, simulate
from web_support import Console


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "events.db")
        return
    with Postgres() as cluster:
        yield cluster.url()


def listing(console):
    status, _, body = console.get("/api/v1/alerts")
    assert status == 200, body
    return body


def scans(console):
    return [a for a in listing(console)["alerts"] if a["rule"] == "scan"]


def test_acks_false_positives_silences_and_counts_survive_a_restart(store, tmp_path):
    keys = Keys(tmp_path, agents=2)
    receiver = WebhookReceiver()
    token = tmp_path / "web-token"
    extra = ("--alert-webhook", receiver.url, "--alert-outbox", str(tmp_path / "outbox"))
    # the same --listen both times: on PostgreSQL the state is the collector's (host, listen)
    endpoint = f"tcp://127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    console = Console(keys, store, extra=extra, token_file=token, endpoint=endpoint)
    restarted = None
    try:
        # sim-0001: scans from 10.0.0.50 and 10.0.0.100, each one open alert
        code, report = simulate(keys, console.collector, agents=1, rate=100, duration=1)
        assert code == 0, report
        wait_for(lambda: len(scans(console)) >= 2, timeout=20, what="two scan alerts")
        wrong = next(a for a in scans(console) if a["labels"]["source"] == "10.0.0.50")
        # the agent's drift alert stays open (no clearing event); its scans end by themselves
        acked = next(a for a in listing(console)["alerts"] if a["rule"] == "time_drift")
        assert acked["status"] == "firing", acked
        assert post(console, f"/api/v1/alerts/{acked['id']}/ack", {"by": "ana"})[0] == 200
        status, _, made = post(console, f"/api/v1/alerts/{wrong['id']}/false-positive",
                               {"reason": "our <b>scanner</b> \"nessus\"", "scope": "source",
                                "by": "ana"})
        assert status == 200, made
        status, _, silence = post(console, "/api/v1/silences",
                                  {"match": "agent=lab-*", "duration": "2h", "comment": "lab"})
        assert status == 200, silence
        wait_for(lambda: len(alerts_of(receiver.bodies(), "scan", "resolved")) >= 2, timeout=20,
                 what="both scans notified, firing then resolved")
        firing_before = len(alerts_of(receiver.bodies(), "scan", "firing"))
        sent_before = len(receiver.bodies())
        old_ids = {n["annotations"]["alert_id"] for n in alerts_of(receiver.bodies())}
        old = alerts_of(receiver.bodies())
        before = listing(console)
        console.collector.stop(signal.SIGKILL)  # no orderly save at exit

        restarted = Console(keys, store, extra=extra, token_file=token, endpoint=endpoint)
        after = listing(restarted)
        again = {a["id"]: a for a in after["alerts"]}
        assert again[acked["id"]]["acknowledged"] and again[acked["id"]]["status"] == "firing"
        assert again[acked["id"]]["acknowledged_by"] == "ana"
        assert again[acked["id"]]["count"] == acked["count"]
        assert again[wrong["id"]]["false_positive"]
        assert after["alerts"] == before["alerts"]  # every field of every alert, in order
        assert after["by_rule"]["scan"] == before["by_rule"]["scan"], (after, before)
        suppressions = restarted.get("/api/v1/suppressions")[2]["suppressions"]
        assert [(s["id"], s["reason"], s["match"]) for s in suppressions] == [
            (made["suppression"]["id"], "our <b>scanner</b> \"nessus\"", {"source": "10.0.0.50"})]
        silences = restarted.get("/api/v1/silences")[2]["silences"]
        assert [(s["id"], s["comment"]) for s in silences] == [(silence["silence"]["id"], "lab")]

        # sim-0002 repeats the scans: 10.0.0.50 suppressed (the restored suppression counts it),
        # 10.0.0.100 from sim-0002 is a new alert.
        code, report = simulate(keys, restarted.collector, agents=2, rate=100, duration=1)
        assert code == 0, report

        def suppressed():
            return restarted.get("/api/v1/suppressions")[2]["suppressions"][0]["suppressed"]

        wait_for(lambda: suppressed() >= 1, timeout=20, what="the restored suppression to count")
        wait_for(lambda: len(alerts_of(receiver.bodies(), "scan", "firing")) > firing_before,
                 timeout=20, what="sim-0002's other scan notified")
        firing = alerts_of(receiver.bodies(), "scan", "firing")
        assert not [a for a in firing if a["labels"]["agent"] == "sim-0002"
                    and a["labels"]["source"] == "10.0.0.50"], firing
        # what was notified before the restart is not notified again after it
        assert len(receiver.bodies()) > sent_before
        assert [n for n in alerts_of(receiver.bodies())
                if n["annotations"]["alert_id"] in old_ids] == old, receiver.bodies()[sent_before:]
        assert listing(restarted)["by_rule"]["scan"]["suppressed"] == 1
        if store.startswith("postgresql:"):
            # another collector on the same store (another --listen) has its own state: it does
            # not resume this one's alerts, silences or suppressions, nor overwrite them
            other = Console(keys, store, token_file=tmp_path / "other-token",
                            extra=("--alert-outbox", str(tmp_path / "other-outbox")))
            try:
                assert listing(other)["alerts"] == []
                assert other.get("/api/v1/suppressions")[2]["suppressions"] == []
                assert other.get("/api/v1/silences")[2]["silences"] == []
            finally:
                assert other.stop() == 0, other.collector.process.log()
    finally:
        if restarted:
            assert restarted.stop() == 0, restarted.collector.process.log()
        console.collector.stop(signal.SIGKILL)
        receiver.stop()
