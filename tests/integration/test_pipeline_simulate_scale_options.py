"""`chronowatch simulate`'s options for the scale benchmark, against a real collector: agents send
heartbeats at --heartbeat-interval (stored, counted in the report), connect from the --source
addresses (seen on the collector's side of the TCP connections), and --stop-agents N stops the
last N at --stop-at as if killed: the collector raises agent_down for those and for no agent
while it was still beating."""
import json
import sqlite3
import subprocess

from peers import wait_for
from pipeline_support import Collector, Keys, json_lines, simulate

HEARTBEAT, AGENT_DOWN = 40, 43  # events/event.h wire values
SOURCES = {"127.0.0.2", "127.0.0.3"}


def rows(db, sql, *args):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute(sql, args).fetchall()


def peer_addresses(port):
    """The remote addresses of the TCP connections established to `port`."""
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[-1].rsplit(":", 1)[0] for line in out.splitlines() if line.strip()}


def test_heartbeats_sources_and_a_stopped_subset(tmp_path):
    keys = Keys(tmp_path, agents=6)
    db = tmp_path / "events.db"
    collector = Collector(keys, db, extra=("--heartbeat-interval", "2", "--liveness-grace", "2"))
    try:
        run = simulate(keys, collector, agents=6, rate=0, duration=10, background=True,
                       extra=("--heartbeat-interval", "2", "--stop-agents", "2", "--stop-at", "3",
                              "--source", ",".join(sorted(SOURCES))))
        seen = set()
        wait_for(lambda: seen.update(peer_addresses(collector.port)) or seen >= SOURCES
                 or not run.alive(), timeout=30, what="connections from both sources")
        assert seen >= SOURCES, seen
        wait_for(lambda: not run.alive(), timeout=90, what="the simulation's end")
        assert run.stop() == 0, run.log()
        report = json_lines(run.log())[-1]
        stopped = {a["agent_id"] for a in report["agents"] if a["stopped"]}
        assert stopped == {"sim-0005", "sim-0006"}
        wait_for(lambda: {a for a, in rows(db, "SELECT agent_id FROM events WHERE type = ?",
                                           AGENT_DOWN)} >= stopped,
                 timeout=30, what="agent_down for the stopped agents")
    finally:
        collector.stop()
    beats = dict(rows(db, "SELECT agent_id, count(*) FROM events WHERE type = ? GROUP BY agent_id",
                      HEARTBEAT))
    last_beat = dict(rows(db, "SELECT agent_id, max(timestamp_ns) FROM events WHERE type = ? "
                              "GROUP BY agent_id", HEARTBEAT))
    for agent in report["agents"]:
        name = agent["agent_id"]
        downs = [t for t, in rows(db, "SELECT timestamp_ns FROM events WHERE agent_id = ? AND "
                                      "type = ?", name, AGENT_DOWN)]
        if agent["stopped"]:
            assert 1 <= agent["heartbeats"] <= 3, agent  # stopped 3 s into a 2 s interval
            assert len(downs) == 1 and downs[0] > last_beat[name], (name, downs)
        else:
            assert agent["heartbeats"] >= 3 and agent["acknowledged"] == agent["sent"], agent
            assert beats[name] == agent["heartbeats"], (name, beats)
            assert all(t > last_beat[name] for t in downs), (name, downs)  # none while beating
