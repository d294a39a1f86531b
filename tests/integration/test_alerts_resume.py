"""Evaluation resumes where it stopped: the alerting state keeps the store position it was
evaluated through, saved with it. The collector is SIGKILLed while alerting is behind the store
(its threads pinned to one CPU, a 1-event feed, 10 000 rules before the defaults: batches are
stored but not yet evaluated) and
started again on the same store, while the simulated agents go on and resend what was not
acknowledged. The restarted collector evaluates what was stored after the saved position first,
read back from the store, then the live events: every stored event is evaluated exactly once
(none twice — no alert's count doubles — and none skipped), and the alerts and per-rule counts are
those of a collector that ran through, given the same agents. On SQLite and on a real
PostgreSQL 15 (correlation off: its windows follow the wall clock)."""
import os
import pathlib
import signal
import socket

import pytest

from alert_support import WebhookReceiver, alert_stats
from peers import Postgres, free_port, wait_for
from pipeline_support import Keys, simulate, stored_events
from web_support import Console

# 10 000 rules that match nothing: with 3 000, a quiet machine evaluated as fast as it stored and
# alerting never fell behind (CI); 10 000 keeps it thousands of events behind, loaded or not.
AGENTS, RATE, DURATION, RULES = 10, 1000, 3, 10000


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.param


def store_for(engine, directory, clusters):
    if engine == "sqlite":
        return str(directory / "events.db")
    cluster = Postgres()
    clusters.append(cluster)
    return cluster.url()


def start(keys, store, directory, receiver, endpoint, started, extra=()):  # started: to stop
    # Rules that match nothing in front of the defaults: each event walks them all, so
    # that alerting, on one CPU with the writer, stays well behind the store while agents send.
    rules = directory / "alerts.yaml"
    rules.write_text("alerts:\n  correlation: {enabled: false}\n  rules:\n" + "".join(
        f"    - {{name: never-{i}, match: \"agent=*never{i}\", alert: false}}\n"
        for i in range(RULES)))
    console = Console(keys, store, token_file=directory / "web-token", endpoint=endpoint,
                      extra=("--alert-rules", str(rules), "--alert-webhook", receiver.url,
                             "--alert-outbox", str(directory / "outbox"), *extra))
    started.append(console)
    for task in pathlib.Path(f"/proc/{console.collector.process.pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {sorted(os.sched_getaffinity(0))[0]})
    return console


def evaluated(console):
    a = alert_stats(console.collector)
    return a.get("events_seen", 0) + a.get("events_duplicate", 0)


def alerts_of(console, store, stored, before=()):
    try:
        wait_for(lambda: alert_stats(console.collector).get("events_seen", 0) >= stored,
                 timeout=60, what="every stored event evaluated")
    except TimeoutError:
        raise AssertionError((stored, list(before)[-10:], alert_stats(console.collector),
                              [l for l in console.collector.process.log().splitlines()
                               if "alerts:" in l][-20:]))
    status, _, body = console.get("/api/v1/alerts")
    assert status == 200, body
    alerts = sorted((a["rule"], a["labels"].get("agent", ""), a["labels"].get("source", ""),
                     a["count"]) for a in body["alerts"])
    counts = {r: (c["events"], c["raised"]) for r, c in body["by_rule"].items()}
    return alerts, counts


def stored_count(store):
    return sum(len(s) for s in stored_events(store).values())


def test_a_collector_killed_with_events_not_yet_evaluated_evaluates_them_once_after_restart(
        engine, tmp_path):
    clusters, consoles = [], []
    receiver = WebhookReceiver()
    try:
        # Killed while behind, restarted on the same store and --listen.
        keys = Keys(tmp_path / "killed", agents=AGENTS)
        store = store_for(engine, tmp_path / "killed", clusters)
        endpoint = f"tcp://127.0.0.1:{free_port(socket.SOCK_STREAM)}"
        console = start(keys, store, tmp_path / "killed", receiver, endpoint,
                        consoles, ("--alert-queue-events", "1"))
        stream = simulate(keys, console.collector, agents=AGENTS, rate=RATE, duration=DURATION,
                          drain=60, background=True)

        first = {}

        def behind():  # a state saved after some evaluation, and many events stored since
            stats = console.collector.stats() or {}
            evaluation = stats.get("alerts", {}).get("evaluation", {})
            first.setdefault("saved", evaluation.get("saved_through"))
            seen = stats.get("alerts", {}).get("events_seen", 0)
            first["last"] = (stats.get("events_stored"), seen, evaluation)
            return evaluation.get("saved_through", 0) > (first["saved"] or 0) and \
                stats.get("events_stored", 0) - seen > 3000
        try:
            wait_for(behind, timeout=30, what="alerting behind the store, with a state saved")
        except TimeoutError:  # what the collector last said: stored, evaluated, its positions
            raise AssertionError((first, stream.log()[-1000:]))
        console.collector.stop(signal.SIGKILL)
        killed_log = [l for l in console.collector.process.log().splitlines() if "alerts:" in l]
        console = start(keys, store, tmp_path / "killed", receiver, endpoint, consoles)
        try:
            wait_for(lambda: stream.popen.poll() is not None, timeout=120,
                     what="simulate to finish")
            assert stream.popen.returncode == 0, stream.log()[-2000:]
            stored = stored_count(store)
            assert stored == AGENTS * RATE * DURATION, stored
            alerts, counts = alerts_of(console, store, stored, killed_log)
            stats = alert_stats(console.collector)
            log = console.collector.process.log()
        finally:
            console.stop()
        evaluation = stats["evaluation"]
        # The path under test was taken: events stored after the saved position, read back.
        assert evaluation["resumed"] > 0, (evaluation, killed_log[-10:], log[-3000:])
        assert "were not evaluated before the collector stopped" in log
        assert stats["events_seen"] == stored, stats  # exactly once: none twice, none skipped

        # The reference: the same agents, a collector that runs through.
        ref_keys = Keys(tmp_path / "through", agents=AGENTS)
        ref_store = store_for(engine, tmp_path / "through", clusters)
        reference = start(ref_keys, ref_store, tmp_path / "through", receiver, None, consoles)
        try:
            code, report = simulate(ref_keys, reference.collector, agents=AGENTS, rate=RATE,
                                    duration=DURATION)
            assert code == 0, report
            ref_stored = stored_count(ref_store)
            assert ref_stored == stored
            ref_alerts, ref_counts = alerts_of(reference, ref_store, ref_stored)
            assert alert_stats(reference.collector)["events_seen"] == ref_stored
        finally:
            reference.stop()
        assert alerts and alerts == ref_alerts, (alerts, ref_alerts)
        assert counts == ref_counts, (counts, ref_counts)
    finally:  # also what a failed wait left running
        for console in consoles:
            console.stop()
        receiver.stop()
        for cluster in clusters:
            cluster.stop()
