"""Retention tiers through the real commands (docs/store.md, "Retention tiers"), on SQLite and on
a PostgreSQL started by the test: a collector fed by `simulate`, history two and five days old
imported beside it, then a collector started with --retention-raw 1 --retention-warm 3. Its
first pass rolls the two-day-old events into warm blocks (heartbeats dropped), which `events`
and `replay` still return, and exports the five-day-old ones to --archive-dir, which the store no
longer returns; nothing is lost or doubled."""
import json
import struct
import zlib

import pytest

from peers import Postgres, wait_for
from pipeline_support import Collector, Keys, json_lines, run, simulate, store_args

DAY_NS = 86_400 * 10**9


@pytest.fixture(scope="module")
def postgres():
    with Postgres() as cluster:
        yield cluster


def archived(directory):
    """(agent_id, count) of every block in the archive files (format: docs/store.md)."""
    out = []
    for path in sorted(directory.glob("events-*.cwarchive")):
        data = path.read_bytes()
        assert data[:8] == b"CWARCHV1"
        at = 8
        while at < len(data):
            (length,) = struct.unpack_from("<I", data, at)
            agent = data[at + 4:at + 4 + length].decode()
            at += 4 + length
            _hour, count, size = struct.unpack_from("<qII", data, at)
            at += 16
            raw = zlib.decompress(data[at + 4:at + size])
            assert struct.unpack_from("<I", raw, 0)[0] == count
            out.append((agent, count))
            at += size
    return out


def shifted(events, days, sequence_offset):
    out = []
    for event in events:
        moved = dict(event)
        moved["timestamp_ns"] = event["timestamp_ns"] - days * DAY_NS
        moved.pop("timestamp", None)
        moved["sequence"] = event["sequence"] + sequence_offset
        out.append(moved)
    return out


def key(event):
    return (event["agent_id"], event["sequence"])


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_old_events_go_warm_then_to_the_archive_and_stay_readable(engine, postgres, tmp_path):
    store = (postgres.create_database("retention") if engine == "postgresql"
             else f"sqlite:{tmp_path / 'events.db'}")
    keys = Keys(tmp_path / "keys", agents=3)
    collector = Collector(keys, store)
    code, report = simulate(keys, collector, agents=3, rate=100, duration=2)
    collector.stop()
    assert code == 0, report
    recent = [e for e in json_lines(run("events", *store_args(store), "--json").stdout)
              if e["agent_id"] != "collector"]
    # simulate sends no heartbeats: give each agent some, at its first event's time.
    firsts = {}
    for e in recent:
        firsts.setdefault(e["agent_id"], e)
    heartbeats = [{"agent_id": a, "sequence": e["sequence"] + 500_000 + i, "type": "heartbeat",
                   "severity": "info", "timestamp_ns": e["timestamp_ns"] + i}
                  for a, e in firsts.items() for i in range(3)]
    history = tmp_path / "heartbeats.jsonl"
    history.write_text("".join(json.dumps(e) + "\n" for e in heartbeats))
    run("events", *store_args(store), "--import", history)
    recent += heartbeats
    warm = shifted(recent, 2, 1_000_000)
    cold = shifted(recent, 5, 2_000_000)
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(e) + "\n" for e in warm + cold))
    run("events", *store_args(store), "--import", history)

    archive = tmp_path / "archive"
    collector = Collector(keys, store, extra=["--retention-raw", "1", "--retention-warm", "3",
                                              "--archive-dir", str(archive)])
    wait_for(lambda: "retention:" in collector.process.log(), timeout=30, what="a retention pass")
    collector.stop()
    assert "retention pass failed" not in collector.process.log()

    kept = [e for e in warm if e["type"] != "heartbeat"]
    stored = [e for e in json_lines(run("events", *store_args(store), "--json",
                                        "--limit", "1000000").stdout)
              if e["agent_id"] != "collector"]
    assert sorted(map(key, stored)) == sorted(map(key, recent + kept))
    by_key = {key(e): e for e in stored}
    for event in kept:  # the warm events keep their timestamps and data
        assert by_key[key(event)]["timestamp_ns"] == event["timestamp_ns"]
        assert by_key[key(event)].get("data") == event.get("data")
    replayed = [e for e in json_lines(run("replay", *store_args(store), "--from", "4d",
                                          "--speed", "0", "--json").stdout)
                if e["agent_id"] != "collector"]
    assert sorted(map(key, replayed)) == sorted(map(key, recent + kept))
    one = kept[0]
    only = json_lines(run("events", *store_args(store), "--json", "--agent", one["agent_id"],
                          "--until", "1d").stdout)
    assert sorted(map(key, only)) == sorted(key(e) for e in kept if e["agent_id"] == one["agent_id"])
    blocks = archived(archive)
    assert sum(count for _, count in blocks) == len([e for e in cold if e["type"] != "heartbeat"])
    assert {agent for agent, _ in blocks} == {e["agent_id"] for e in cold}


def test_warm_not_longer_than_raw_is_a_usage_error(tmp_path):
    keys = Keys(tmp_path / "keys", agents=1)
    result = run("collector", "--db", tmp_path / "e.db", "--key", keys.server / "collector.key",
                 "--authorized-keys", keys.authorized, "--retention-raw", "30",
                 "--retention-warm", "30", check=False)
    assert result.returncode == 2
    assert "--retention-warm must be longer than --retention-raw" in result.stderr
