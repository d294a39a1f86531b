"""`chronowatch events`, `agents` and `replay` on a real SQLite file, end to end through the binary.

The database is filled through the real store code (`chronowatch events --import`, the JSON lines
that `events --json` prints) and inspected independently with Python's sqlite3: WAL mode, schema
version, indexes, exactly-once rows. Replay pacing is measured on the wall clock.
"""
import json
import os
import sqlite3
import subprocess
import time

import pytest

from peers import chronowatch_binary

NOW_NS = time.time_ns()
HOUR = 3600 * 10**9


def event(agent, sequence, t_ns, type_="heartbeat", severity="info", **extra):
    e = {"agent_id": agent, "sequence": sequence, "type": type_, "severity": severity,
         "timestamp_ns": t_ns}
    e.update(extra)
    return e


def drift(agent, sequence, t_ns, offset_ns):
    return event(agent, sequence, t_ns, "time_drift", "high", data_type="clock",
                 data={"server": "127.0.0.1:123", "offset_ns": offset_ns, "threshold_ns": 100_000_000})


HISTORY = [
    event("node-1", 1, NOW_NS - 2 * HOUR, "agent_start"),
    drift("node-1", 2, NOW_NS - 2 * HOUR + 10**9, 150_123_457),
    event("node-2", 1, NOW_NS - 30 * 60 * 10**9, "port_scan", "medium", data_type="network",
          data={"source": "10.0.1.100", "ports": [22, 23, 502, 3389], "count": 15},
          attributes={"interface": "eth0"}),
    drift("node-1", 3, NOW_NS - 20 * 60 * 10**9, -2_000_000),
    event("node-2", 2, NOW_NS - 10 * 60 * 10**9, "heartbeat", data_type="heartbeat",
          data={"uptime_ns": 3600 * 10**9, "cpu_percent": 1.5, "connected": True}),
    event("node-3", 1, NOW_NS - 5 * 60 * 10**9, "modbus_anomaly", "critical", data_type="network",
          data={"source": "192.168.1.7", "destination": "192.168.1.20", "kind": "write_unauthorized"}),
]


def cw(*args, env=None, check=True, stdin=None):
    result = subprocess.run([chronowatch_binary(), *map(str, args)], capture_output=True, text=True,
                            env=env, input=stdin, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def db(tmp_path):
    source = tmp_path / "history.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in HISTORY))
    path = tmp_path / "data" / "events.db"
    out = cw("events", "--db", path, "--import", source)
    assert "stored 6 new" in out.stdout
    return path


def test_events_json_gives_back_what_was_stored(db):
    stored = json_lines(cw("events", "--db", db, "--json").stdout)
    assert [(e["agent_id"], e["sequence"]) for e in stored] == \
        [(e["agent_id"], e["sequence"]) for e in sorted(HISTORY, key=lambda e: e["timestamp_ns"])]
    by_key = {(e["agent_id"], e["sequence"]): e for e in stored}
    scan = by_key[("node-2", 1)]
    assert scan["type"] == "port_scan" and scan["severity"] == "medium"
    assert scan["data"]["ports"] == [22, 23, 502, 3389]
    assert scan["attributes"] == {"interface": "eth0"}
    assert scan["timestamp"].endswith("Z") and scan["timestamp_ns"] == HISTORY[2]["timestamp_ns"]
    assert by_key[("node-1", 2)]["data"]["offset_ns"] == 150_123_457


def test_database_is_wal_versioned_indexed_and_exactly_once(db, tmp_path):
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(e) + "\n" for e in HISTORY[2:] + [event("node-9", 1, NOW_NS)]))
    out = cw("events", "--db", db, "--import", again)
    assert "stored 1 new, 4 already stored" in out.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # 2: retention tiers (events_warm)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 7
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"events_by_time", "events_by_agent_time", "events_by_type_time"} <= indexes
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO events (agent_id, sequence, timestamp_ns, type, severity, payload)"
                         " VALUES ('node-1', 1, 0, 40, 0, x'')")


def test_filters_by_time_agent_type_severity_and_limit(db):
    def keys(*flags):
        return [(e["agent_id"], e["sequence"]) for e in json_lines(cw("events", "--db", db, "--json", *flags).stdout)]
    assert keys("--since", "1h") == [("node-2", 1), ("node-1", 3), ("node-2", 2), ("node-3", 1)]
    assert keys("--since", "1h", "--until", "15m") == [("node-2", 1), ("node-1", 3)]
    assert keys("--agent", "node-1") == [("node-1", 1), ("node-1", 2), ("node-1", 3)]
    assert keys("--type", "time_drift") == [("node-1", 2), ("node-1", 3)]
    assert keys("--severity", "high") == [("node-1", 2), ("node-1", 3), ("node-3", 1)]
    assert keys("--limit", "2") == [("node-2", 2), ("node-3", 1)]
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((NOW_NS - 45 * 60 * 10**9) / 1e9))
    assert keys("--since", iso, "--agent", "node-2") == [("node-2", 1), ("node-2", 2)]
    assert keys("--agent", "nobody") == []


def test_table_output_is_readable(db):
    out = cw("events", "--db", db, "--type", "port_scan").stdout
    assert "node-2" in out and "port_scan" in out and "from 10.0.1.100" in out and "interface=eth0" in out


def test_agents_show_counts_offsets_and_state(db):
    agents = {a["agent_id"]: a for a in json_lines(cw("agents", "--db", db, "--json").stdout)}
    assert set(agents) == {"node-1", "node-2", "node-3"}
    assert agents["node-1"]["events"] == 3 and agents["node-1"]["alerts"] == 2
    assert agents["node-1"]["last_offset_ns"] == -2_000_000  # the newest drift event's
    assert agents["node-1"]["last_sequence"] == 3
    assert agents["node-2"]["heartbeats"] == 1 and agents["node-2"]["last_offset_ns"] is None
    assert all(a["up"] for a in agents.values())
    table = cw("agents", "--db", db).stdout
    assert "node-3" in table and "-2.000 ms" in table


def test_replay_keeps_order_and_scaled_pacing(tmp_path):
    base = NOW_NS - HOUR
    steps = [event("r", i + 1, base + int(i * 0.6e9)) for i in range(4)]  # 0, 0.6, 1.2, 1.8 s
    source = tmp_path / "r.jsonl"
    source.write_text("".join(json.dumps(e) + "\n" for e in reversed(steps)))
    path = tmp_path / "r.db"
    cw("events", "--db", path, "--import", source)
    proc = subprocess.Popen([chronowatch_binary(), "replay", "--db", str(path), "--from", "2h",
                             "--to", "now", "--speed", "3", "--json"], stdout=subprocess.PIPE, text=True)
    arrivals, lines = [], []
    for line in proc.stdout:
        arrivals.append(time.monotonic())
        lines.append(json.loads(line))
    assert proc.wait(timeout=30) == 0
    assert [e["sequence"] for e in lines] == [1, 2, 3, 4]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    for gap in gaps:  # 0.6 s / 3 = 0.2 s each
        assert 0.12 < gap < 0.5, gaps
    start = time.monotonic()
    fast = json_lines(cw("replay", "--db", path, "--from", "2h", "--speed", "0", "--json").stdout)
    assert len(fast) == 4 and time.monotonic() - start < 1.5


def test_default_database_is_under_cw_data_dir(tmp_path, db):
    env = dict(os.environ, CW_DATA_DIR=str(db.parent))
    assert len(json_lines(cw("events", "--json", env=env).stdout)) == 6


def test_errors_are_clear_with_documented_exit_codes(db, tmp_path):
    missing = cw("events", "--db", tmp_path / "none.db", check=False)
    assert missing.returncode == 1 and "no event database" in missing.stderr
    assert not (tmp_path / "none.db").exists()
    bad_time = cw("events", "--db", db, "--since", "yesterday", check=False)
    assert bad_time.returncode == 2 and "--since" in bad_time.stderr
    bad_type = cw("events", "--db", db, "--type", "weather", check=False)
    assert bad_type.returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"agent_id": "x"}\nnot json\n' + json.dumps(event("x", 1, NOW_NS)) + "\n")
    result = cw("events", "--db", db, "--import", bad, check=False)
    assert result.returncode == 3
    assert "line 1 rejected: missing_field" in result.stderr
    assert "line 2 rejected: bad_syntax" in result.stderr
    assert "stored 1 new" in result.stdout
