"""Several collectors on one PostgreSQL (started by the test) share the alert outbox (table
alert_outbox, docs/alerts.md "Several collectors"): a real webhook receiver (alert_support's
http.server) gets the notifications.

- A collector SIGKILLed while it is delivering (its claim held, the receiver stalling): the other
  collector delivers what was pending once the claim's lease ends, within the lease plus a bound,
  and says it took the claim over.
- The same history replayed through both collectors at once (each evaluates every event and
  raises the same alerts): each notification is delivered exactly once.
- A receiver that fails at first: the retries come from whichever collector holds the claim, one
  at a time, spaced by the shared back-off — the first collector's, then, once it is killed, the
  other's, which goes on counting — and once it answers, each notification arrives once.
"""
import signal
import subprocess
import time

import pytest

from alert_support import WebhookReceiver, alert_stats
from peers import Postgres, wait_for
from pipeline_support import CW, Collector, Keys, json_lines, simulate

TIMEOUT, LEASE, RETRY_MAX = 2, 4, 2  # seconds: attempt timeout, claim lease, longest back-off
BOUND = 15  # seconds past the lease for the other collector to notice and deliver (loaded machine)


@pytest.fixture(scope="module")
def postgres():
    cluster = Postgres()
    yield cluster
    cluster.stop()


def collector(keys, url, receiver, started):
    c = Collector(keys, url, extra=["--alert-webhook", receiver.url, "--alert-timeout", str(TIMEOUT),
                                    "--alert-claim-lease", str(LEASE),
                                    "--alert-retry-max", str(RETRY_MAX)])
    started.append(c)
    return c


def outbox_rows(postgres, database):
    """(notification id, delivered) of every row of the shared outbox."""
    out = postgres.psql("SELECT convert_from(notification_id, 'UTF8'), delivered_ns IS NOT NULL "
                        "FROM alert_outbox ORDER BY seq", database)
    return [(line.split("|")[0], line.split("|")[1] == "t") for line in out.splitlines() if line]


def received_ids(receiver):
    return [b["notificationId"] for b in receiver.bodies()]


def all_delivered(postgres, database, receiver, at_least):
    rows = outbox_rows(postgres, database)
    return len(rows) >= at_least and all(d for _, d in rows) and \
        sorted(received_ids(receiver)) == sorted(i for i, _ in rows)


def stop_all(started, receiver):
    for c in started:
        if c.process.alive():
            c.stop()
    receiver.stop()


def scan_alerts(keys, target):
    """One simulated agent, 60 events over 4 s: its 50th (at 3.3 s) is a port scan
    (simulate_agents.cpp), one alert notified firing then resolved (2 notifications); the others
    are low-severity drifts, not notified."""
    code, report = simulate(keys, target, agents=1, rate=15, duration=4)
    assert code == 0, report


def test_a_notification_pending_when_its_collector_is_killed_is_delivered_by_the_other(
        postgres, tmp_path):
    url = postgres.create_database("killed")
    keys = Keys(tmp_path / "keys", agents=1)
    receiver = WebhookReceiver()
    receiver.mode = "stall"  # the first attempt hangs: its collector holds the claim
    started = []
    try:
        first = collector(keys, url, receiver, started)
        second = collector(keys, url, receiver, started)
        scan_alerts(keys, first)
        wait_for(lambda: any(mode == "stall" for _, mode, _ in receiver.attempts), timeout=30,
                 what="the first collector's attempt, stalled by the receiver")
        first.stop(signal.SIGKILL)  # inside its 2 s attempt: the claim is held, its lease runs
        killed_at = time.monotonic()
        receiver.mode = "ok"
        stalled_at, stalled = [(at, n) for at, mode, n in receiver.attempts if mode == "stall"][0]
        wait_for(lambda: all_delivered(postgres, "killed", receiver, 2), timeout=LEASE + BOUND,
                 what="the other collector to deliver what the killed one had claimed")
        delivered_after = receiver.received[0]["at"] - killed_at
        # Not before the killed collector's claim ended: made just before its stalled attempt
        # arrived, it runs LEASE s (without a lease the other would send within 0.5 s).
        waited = receiver.received[0]["at"] - stalled_at
        log = second.process.log()
        wait_for(lambda: alert_stats(second)["receivers"][0]["taken_over"] == 1, timeout=5,
                 what="the takeover counted")
    finally:
        stop_all(started, receiver)
    assert delivered_after <= LEASE + BOUND, delivered_after
    assert waited >= LEASE - TIMEOUT, waited
    print(f"delivered {delivered_after:.2f} s after the kill, {waited:.2f} s after the claim's attempt")
    ids = received_ids(receiver)
    assert len(ids) == len(set(ids)) == 2, ids  # once each, in order: firing then resolved
    assert ids[0] == stalled and ids[1].endswith("/resolved"), (ids, stalled)
    assert f"took over notification {stalled}" in log, log[-3000:]
    assert alert_stats(second)["raised"] == 0  # the other collector raised nothing itself


def replay_to(keys, source, target):
    return subprocess.Popen(
        [CW, "replay", "--db", str(source), "--from", "1h", "--to", "now", "--to", target.endpoint,
         "--speed", "1", "--key", str(keys.agents / "sim-0001.key"),
         "--collector-key", str(keys.server / "collector.pub"), "--drain", "30", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_same_alert_raised_through_both_collectors_is_delivered_once(postgres, tmp_path):
    keys = Keys(tmp_path / "keys", agents=1)
    # The history: one agent, a port scan at its 50th event, 3.3 s after its first.
    source = Collector(keys, tmp_path / "history.db")
    try:
        scan_alerts(keys, source)
    finally:
        assert source.stop() == 0
    url = postgres.create_database("twice")
    receiver = WebhookReceiver()
    started = []
    try:
        first = collector(keys, url, receiver, started)
        second = collector(keys, url, receiver, started)
        # Both at once, as the agent, at the original pace: both collectors welcome it (telling it
        # what the store holds) seconds before the scan is stored, so each receives and evaluates
        # the scan (for one of them it is a resend, which the store drops).
        replays = [replay_to(keys, source.db, c) for c in (first, second)]
        for r in replays:
            out, err = r.communicate(timeout=90)
            assert r.returncode == 0, err[-2000:]
            assert json_lines(out)[-1]["total_acknowledged"] == 60, out
        wait_for(lambda: all(alert_stats(c).get("notifications", 0) >= 2 for c in (first, second)),
                 timeout=30, what="both collectors notifying the scan's alert")
        wait_for(lambda: all_delivered(postgres, "twice", receiver, 2), timeout=30,
                 what="the notifications delivered")
        counters = [alert_stats(c) for c in (first, second)]
    finally:
        stop_all(started, receiver)  # nothing can be sent after this
    rows = outbox_rows(postgres, "twice")
    assert len(rows) == 2, rows  # one alert, firing and resolved: the repeats were dropped
    ids = received_ids(receiver)
    assert sorted(ids) == sorted(i for i, _ in rows) and len(ids) == len(set(ids)), ids
    for c in counters:  # each engine made both notifications (and raised a low drift alert, not
        assert c["notifications"] == 2, counters  # notified); the receiver got each once
    assert sum(r["delivered"] for c in counters for r in c["receivers"]) == 2, counters


def test_a_failing_receiver_gets_the_retries_from_whoever_holds_the_claim(postgres, tmp_path):
    """The first collector makes the first attempts; killed between two, the other goes on with
    the same notification's attempts (their count and back-off kept in the row) until the
    receiver answers."""
    url = postgres.create_database("retries")
    keys = Keys(tmp_path / "keys", agents=1)
    receiver = WebhookReceiver()
    receiver.mode = "fail"
    started = []
    try:
        first = collector(keys, url, receiver, started)
        second = collector(keys, url, receiver, started)
        scan_alerts(keys, first)
        wait_for(lambda: len(receiver.attempts) >= 2, timeout=60, what="two failed attempts")
        first.stop(signal.SIGKILL)
        before_kill = len(receiver.attempts)
        wait_for(lambda: len(receiver.attempts) >= before_kill + 2, timeout=LEASE + BOUND,
                 what="the other collector going on with the attempts")
        receiver.mode = "ok"
        wait_for(lambda: all_delivered(postgres, "retries", receiver, 2), timeout=30,
                 what="the notifications delivered once the receiver answers")
        counters = alert_stats(second)
        log = second.process.log()
    finally:
        stop_all(started, receiver)
    failed = [(at, n) for at, mode, n in receiver.attempts if mode == "fail"]
    head = failed[0][1]
    assert all(n == head for _, n in failed), failed  # later ones wait behind the oldest
    # One attempt at a time, whoever makes it: each after the shared back-off (1 s, 2 s, 2 s, ...)
    # from the previous one's failure, never two collectors at once.
    for i in range(1, len(failed)):
        gap, back_off = failed[i][0] - failed[i - 1][0], min(2 ** (i - 1), RETRY_MAX)
        assert gap >= 0.95 * back_off, (i, gap, failed)
    by_second = sum(r["failures"] for r in counters["receivers"])
    assert 2 <= by_second < len(failed), (by_second, len(failed))
    # The count went on in the row: the second collector says how many attempts failed in all.
    assert f"delivered {head} after {len(failed)} failed attempts" in log, log[-3000:]
    ids = received_ids(receiver)
    assert ids[0] == head and len(ids) == len(set(ids)) == 2, ids
    print(f"failed attempts: {len(failed)}, {by_second} of them by the second collector")


def test_a_notification_made_while_postgresql_is_down_is_delivered_once_it_is_back(
        postgres, tmp_path):
    """PostgreSQL stopped as by `pg_ctl -m immediate` under a collector with a console: an
    operator escalates a firing low-severity drift alert (not notified until then) while the
    outbox's database is down; the notification is kept in memory, written when the server is
    back, and delivered once."""
    from web_support import Console
    url = postgres.create_database("restarted")
    keys = Keys(tmp_path / "keys", agents=1)
    receiver = WebhookReceiver()
    console = Console(keys, url, token_file=tmp_path / "web-token",
                      extra=("--alert-webhook", receiver.url, "--alert-timeout", str(TIMEOUT),
                             "--alert-claim-lease", str(LEASE)))
    try:
        scan_alerts(keys, console.collector)
        wait_for(lambda: all_delivered(postgres, "restarted", receiver, 2), timeout=30,
                 what="the scan's notifications")
        status, _, body = console.get("/api/v1/alerts")
        assert status == 200, body
        drift = next(a for a in body["alerts"] if a["rule"] == "time_drift")
        assert drift["status"] == "firing" and drift["severity"] == "low", drift
        postgres.crash()
        status, _, body = console.get(f"/api/v1/alerts/{drift['id']}/escalate", method="POST",
                                      body=b'{"by": "test"}',
                                      headers={"Content-Type": "application/json"})
        assert status == 200, body
        wait_for(lambda: "notifications to the outbox" in console.collector.process.log(),
                 timeout=10, what="the outbox refusing the escalated alert's notification")
        postgres.start()
        wait_for(lambda: all_delivered(postgres, "restarted", receiver, 3), timeout=30,
                 what="the kept notification delivered once PostgreSQL is back")
        log = console.collector.process.log()
    finally:
        console.stop()
        receiver.stop()
        if not postgres.process.alive():
            postgres.start()  # for the module's other tests
    escalated = [b for b in receiver.bodies() if b["alerts"][0]["labels"].get("rule") == "time_drift"]
    assert len(escalated) == 1, receiver.bodies()
    assert escalated[0]["alerts"][0]["labels"]["severity"] == "medium", escalated
    assert "wrote 1 notifications kept while the outbox" in log, log[-3000:]
    ids = received_ids(receiver)
    assert len(ids) == len(set(ids)) == 3, ids
