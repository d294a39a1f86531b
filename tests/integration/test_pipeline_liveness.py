"""Liveness for real, with a short interval: agents that fall silent for 2 intervals plus the
grace get one agent_down each (stored, counted); when they speak again, one agent_up each."""
import sqlite3

from peers import wait_for
from pipeline_support import Collector, Keys, simulate

AGENT_DOWN, AGENT_UP = 43, 44  # events/event.h wire values


def transitions(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(
            "SELECT agent_id, type FROM events WHERE type IN (?, ?) ORDER BY timestamp_ns",
            (AGENT_DOWN, AGENT_UP)).fetchall()


def test_silent_agents_go_down_once_and_come_back_up(tmp_path):
    keys = Keys(tmp_path, agents=2)
    db = tmp_path / "events.db"
    collector = Collector(keys, db, extra=("--heartbeat-interval", "1", "--liveness-grace", "1"))
    try:
        code, _ = simulate(keys, collector, agents=2, rate=20, duration=1)
        assert code == 0
        wait_for(lambda: collector.stats()["liveness_events"] >= 2, timeout=15, what="agent_down")
        code, _ = simulate(keys, collector, agents=2, rate=20, duration=1)
        assert code == 0
        wait_for(lambda: collector.stats()["liveness_events"] >= 4, timeout=15, what="agent_up")
    finally:
        collector.stop()
    seen = transitions(db)
    for agent in ("sim-0001", "sim-0002"):
        mine = [t for a, t in seen if a == agent]
        assert mine[:2] == [AGENT_DOWN, AGENT_UP], seen
