"""Agents → collector over real ZeroMQ with CURVE (tests/integration/pipeline_support.py):
simulated agents' events are stored exactly once and acknowledged; a key not in the allow-list is
refused and counted; malformed frames from one raw peer (pyzmq, CURVE) are dropped and counted
without disturbing the others; the collector SIGKILLed mid-stream and restarted still ends with
every event exactly once."""
import signal
import time

import pytest

from peers import wait_for
from pipeline_support import Collector, Keys, assert_exactly_once, curve_dealer, simulate


@pytest.fixture
def keys(tmp_path):
    return Keys(tmp_path, agents=3)


def test_agents_deliver_exactly_once_and_an_unknown_key_is_refused(keys, tmp_path):
    collector = Collector(keys, tmp_path / "events.db")
    try:
        code, report = simulate(keys, collector, agents=3, rate=200, duration=2)
        assert code == 0, report
        assert report["total_sent"] >= 3 * 300
        assert report["total_acknowledged"] == report["total_sent"]
        # A second run continues each agent's sequence numbers.
        code, again = simulate(keys, collector, agents=3, rate=50, duration=1)
        assert code == 0
        assert again["agents"][0]["first_sequence"] == report["agents"][0]["last_sequence"] + 1
        # Keys that are not in the allow-list: nothing acknowledged, refusal counted.
        code, rogue = simulate(keys, collector, agents=1, prefix="rogue", duration=1, drain=2)
        assert code == 3
        assert rogue["total_acknowledged"] == 0
        wait_for(lambda: collector.stats()["zap_refused"] >= 1, what="refusal counted")
    finally:
        assert collector.stop() == 0
    final = collector.stats()
    # The collector's own incidents (docs/alerts.md: the simulated drifts share one server) are
    # stored events too.
    import sqlite3
    with sqlite3.connect(f"file:{tmp_path / 'events.db'}?mode=ro", uri=True) as db:
        incidents = db.execute("SELECT count(*) FROM events WHERE type = 48").fetchone()[0]
    assert final["events_stored"] == report["total_sent"] + again["total_sent"] + incidents
    assert final["malformed_frames"] == 0
    assert final["zap_accepted"] >= 6
    assert_exactly_once(tmp_path / "events.db", report)
    assert_exactly_once(tmp_path / "events.db", again)


def test_malformed_frames_are_dropped_and_counted_without_disturbing_others(keys, tmp_path):
    collector = Collector(keys, tmp_path / "events.db")
    try:
        stream = simulate(keys, collector, agents=2, rate=200, duration=3, background=True)
        peer = curve_dealer(keys, collector, "sim-0003")
        # A batch before any hello: the collector asks for a hello ('N', version 1, next 0).
        peer.send(b"B\x01\x01\x02\x01\x00")
        assert peer.recv() == b"N\x01\x00"
        garbage = [b"", b"\xff" * 64, b"H\x01\x01" + b"\x07" * 40, b"H\x09\x01", b"A\x01\x05"]
        for _ in range(20):
            for frame in garbage:
                peer.send(frame)
            peer.send_multipart([b"B\x01\x01", b"second part"])
            time.sleep(0.05)
        wait_for(lambda: stream.popen.poll() is not None, timeout=60, what="simulate to finish")
        assert stream.popen.returncode == 0, stream.log()
        report = [line for line in stream.log().splitlines() if line.startswith('{"agents"')]
        wait_for(lambda: collector.stats()["malformed_frames"] >= 20 * 6, what="malformed counted")
        peer.close()
    finally:
        collector.stop()
    import json
    report = json.loads(report[-1])
    assert report["total_acknowledged"] == report["total_sent"] > 0
    assert_exactly_once(tmp_path / "events.db", report)


def test_collector_killed_mid_stream_and_restarted_stores_everything_once(keys, tmp_path):
    db = tmp_path / "events.db"
    collector = Collector(keys, db)
    stream = simulate(keys, collector, agents=3, rate=300, duration=6, drain=40, background=True)
    wait_for(lambda: collector.stats()["events_stored"] > 500, timeout=20, what="events flowing")
    collector.stop(signal.SIGKILL)
    time.sleep(1.5)  # agents keep generating into their outboxes meanwhile
    collector = Collector(keys, db, port=collector.port)
    try:
        wait_for(lambda: stream.popen.poll() is not None, timeout=90, what="simulate to finish")
        assert stream.popen.returncode == 0, stream.log()[-2000:]
    finally:
        collector.stop()
    import json
    report = json.loads([l for l in stream.log().splitlines() if l.startswith('{"agents"')][-1])
    assert report["total_acknowledged"] == report["total_sent"]
    assert_exactly_once(db, report)
