"""`chronowatch replay --to tcp://` (docs/pipeline.md, "Replay to a collector"): the history one
collector stored is sent again to a second collector over real ZeroMQ with CURVE, as the agents
that made it (their ids and original sequences, acknowledged batches). The second store ends with
exactly the first one's events — complete, each once, each agent's in order — also when the
replay is repeated; the pacing follows the original spacing scaled by --speed (coarse check); a
replay key without an `agents:` grant in the receiving collector's allow-list is refused."""
import shutil
import sqlite3
import types

from pipeline_support import Collector, Keys, json_lines, run, simulate


def stored(db):
    result = run("events", "--db", db, "--json", "--limit", "100000000")
    return [(e["agent_id"], e["sequence"], e["type"], e["severity"], e["timestamp_ns"], e.get("data"))
            for e in json_lines(result.stdout) if e["sequence"] < 2**63]


def arrival_order(db):
    """{agent: [sequence, ...]} in the order the collector inserted them (SQLite rowid)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT agent_id, sequence FROM events ORDER BY rowid").fetchall()
    out = {}
    for agent, sequence in rows:
        out.setdefault(agent, []).append(sequence)
    return out


def replay(keys, db, collector, key, speed, drain=20):
    result = run("replay", "--db", db, "--from", "1h", "--to", "now", "--to", collector.endpoint,
                 "--speed", speed, "--key", keys.agents / f"{key}.key",
                 "--collector-key", keys.server / "collector.pub", "--drain", drain, "--json",
                 check=False, timeout=120)
    summaries = json_lines(result.stdout)
    return result.returncode, (summaries[-1] if summaries else None), result.stderr


def second_collector(keys, tmp_path):
    """Collector B: same server key, its own allow-list: `replay` may claim any agent id,
    `plain` (no `agents:` line) only its own name."""
    authorized = tmp_path / "authorized-b"
    authorized.mkdir()
    for name in ("replay", "plain"):
        run("keygen", "--out", keys.agents, "--name", name)
        shutil.copy(keys.agents / f"{name}.pub", authorized / f"{name}.pub")
    with open(authorized / "replay.pub", "a") as pub:
        pub.write("agents: *\n")
    return Collector(types.SimpleNamespace(server=keys.server, authorized=authorized),
                     tmp_path / "b.db")


def test_replay_to_a_second_collector(tmp_path):
    keys = Keys(tmp_path, agents=2)
    source = Collector(keys, tmp_path / "a.db")
    try:
        code, report = simulate(keys, source, agents=2, rate=20, duration=2)
        assert code == 0, report
    finally:
        assert source.stop() == 0
    history = stored(tmp_path / "a.db")
    assert len(history) == report["total_sent"] >= 2 * 35
    span = (max(e[4] for e in history) - min(e[4] for e in history)) / 1e9
    assert span > 1.5

    target = second_collector(keys, tmp_path)
    try:
        # A key that may claim only its own name: every hello refused, nothing stored.
        code, refused, _ = replay(keys, tmp_path / "a.db", target, "plain", speed=0, drain=2)
        assert code == 3, refused
        assert refused["total_sent"] == len(history) and refused["total_acknowledged"] == 0
        assert target.stats()["claims_refused"] >= 2
        assert stored(tmp_path / "b.db") == []

        code, fast, err = replay(keys, tmp_path / "a.db", target, "replay", speed=4)
        assert code == 0, err
        assert fast["total_sent"] == fast["total_acknowledged"] == len(history)
        assert stored(tmp_path / "b.db") == history
        for agent, sequences in arrival_order(tmp_path / "b.db").items():
            assert sequences == sorted(sequences), f"{agent} arrived out of order"

        # Again at speed 1: nothing is stored twice, and the pacing is four times slower.
        code, slow, err = replay(keys, tmp_path / "a.db", target, "replay", speed=1)
        assert code == 0, err
        assert slow["total_acknowledged"] == len(history)
        assert 0 < sum(a["already_held"] for a in slow["agents"]) <= len(history)  # welcome said so
    finally:
        assert target.stop() == 0
    assert stored(tmp_path / "b.db") == history
    assert fast["elapsed_seconds"] >= 0.8 * span / 4, (fast, span)
    assert slow["elapsed_seconds"] >= 0.8 * span, (slow, span)
    assert slow["elapsed_seconds"] - fast["elapsed_seconds"] >= 0.5 * span * (1 - 1 / 4), (fast, slow)
    final = target.stats()
    assert final["events_stored"] == len(history)
    assert final["malformed_frames"] == 0


def test_replay_to_an_endpoint_needs_keys_and_says_so(tmp_path):
    db = tmp_path / "empty.db"
    no_keys = run("replay", "--db", db, "--from", "1h", "--to", "tcp://127.0.0.1:9", check=False)
    assert no_keys.returncode == 2 and "--key" in no_keys.stderr, no_keys
    bad_time = run("replay", "--db", db, "--from", "yesterday-ish", "--to", "tcp://127.0.0.1:9",
                   check=False)
    assert bad_time.returncode == 2 and "--from" in bad_time.stderr, bad_time
    keys = Keys(tmp_path, agents=1)
    source = Collector(keys, db)  # creates the store
    assert source.stop() == 0
    missing = run("replay", "--db", db, "--from", "1h", "--to", "tcp://127.0.0.1:9",
                  "--key", tmp_path / "nope.key", "--collector-key", keys.server / "collector.pub",
                  check=False)
    assert missing.returncode == 1 and "nope.key" in missing.stderr, missing
