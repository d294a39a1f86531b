"""Alerting on its own thread: the collector's writer hands committed batches to it through a
bounded feed and never waits. With the feed cut to one event (--alert-queue-events 1), batches
committed while alerting is busy are skipped and read back from the store: the counters say so,
every stored event is still evaluated exactly once and in order (no event taken for a resend),
and the alerts are the same as those of a collector with the default feed, given the same
simulated agents (default rules, correlation off: its windows follow the wall clock). The
collector's threads share one CPU and a webhook receiver makes alerting write its outbox, so
that the writer commits while the alerting thread is busy."""
import os
import pathlib

from alert_support import WebhookReceiver, alert_stats
from peers import wait_for
from pipeline_support import Keys, simulate, stored_events
from web_support import Console

AGENTS, RATE, DURATION = 20, 1000, 2


def run(tmp_path, name, extra):
    keys = Keys(tmp_path / name, agents=AGENTS)
    db = tmp_path / name / "events.db"
    rules = tmp_path / name / "alerts.yaml"
    rules.write_text("alerts:\n  correlation: {enabled: false}\n")
    receiver = WebhookReceiver()  # its outbox writes are on the alerting thread: it is busier
    console = Console(keys, db, extra=("--alert-rules", str(rules), "--alert-webhook", receiver.url,
                                       *extra))
    for task in pathlib.Path(f"/proc/{console.collector.process.pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {sorted(os.sched_getaffinity(0))[0]})
    try:
        code, report = simulate(keys, console.collector, agents=AGENTS, rate=RATE,
                                duration=DURATION)
        assert code == 0, report
        stored = sum(len(s) for s in stored_events(db).values())
        assert stored == AGENTS * RATE * DURATION, (stored, report)

        def evaluated():
            a = alert_stats(console.collector)
            return a.get("events_seen", 0) + a.get("events_duplicate", 0)

        try:
            wait_for(lambda: evaluated() >= stored, timeout=30, what="every stored event evaluated")
        except TimeoutError:
            raise AssertionError((stored, alert_stats(console.collector),
                                  [l for l in console.collector.process.log().splitlines()
                                   if "alerts:" in l][-20:]))
        stats = alert_stats(console.collector)
        status, _, body = console.get("/api/v1/alerts")
        assert status == 200, body
        alerts = sorted((a["rule"], a["labels"].get("agent", ""), a["labels"].get("source", ""))
                        for a in body["alerts"])
        status, _, metrics = console.get("/metrics")
        assert status == 200
        return stored, stats, alerts, body["by_rule"], metrics
    finally:
        console.stop()
        receiver.stop()


def test_a_feed_that_overflows_reads_the_skipped_events_back_and_alerts_the_same(tmp_path):
    stored, stats, alerts, by_rule, metrics = run(tmp_path, "tiny", ("--alert-queue-events", "1"))
    evaluation = stats["evaluation"]
    assert evaluation["gaps"] >= 1, evaluation  # the path under test was taken
    assert evaluation["gap_events"] > 0 and not evaluation["behind"], evaluation
    assert evaluation["read_back"] == evaluation["gap_events"], evaluation
    assert evaluation["read_back_lost"] == 0, evaluation
    assert evaluation["batches"] > 0, evaluation
    assert stats["events_duplicate"] == 0, stats  # read back in order: nothing looked resent
    assert stats["events_seen"] == stored, stats
    assert f"chronowatch_alert_evaluation_gap_events_total {evaluation['gap_events']}" in metrics

    _, reference_stats, reference, reference_by_rule, _ = run(tmp_path, "default", ())
    assert reference_stats["evaluation"]["gaps"] == 0, reference_stats
    assert reference_stats["events_seen"] == stored, reference_stats
    assert alerts and alerts == reference, (alerts, reference)
    counts = {r: (c["events"], c["raised"]) for r, c in by_rule.items()}
    assert counts == {r: (c["events"], c["raised"]) for r, c in reference_by_rule.items()}
