"""PostgreSQL as the store, against a real PostgreSQL 15 started by the test (peers.Postgres):
a collector on it fed by `simulate` stores every acknowledged event exactly once, and `events`,
`agents` and `replay` give the same answers on PostgreSQL as on SQLite for the same data."""
import json

import pytest

from peers import Postgres, wait_for
from pipeline_support import Collector, Keys, assert_exactly_once, json_lines, run, simulate


@pytest.fixture(scope="module")
def postgres():
    with Postgres() as cluster:
        yield cluster


def lines(*args):
    return run(*args).stdout.splitlines()


def agents_events(json_lines_):
    """The agents' own events: without the collector's incidents (agent id `collector`, which
    the alerting correlation stores beside them, docs/alerts.md)."""
    return [line for line in json_lines_ if not line.startswith('{"agent_id":"collector"')]


def event_derived(agent):
    """What `agents --json` derives from stored events (identity and first/last seen also come
    from the agent's hello, which `events --import` does not carry)."""
    return {k: agent[k] for k in ("agent_id", "events", "alerts", "heartbeats", "last_sequence",
                                  "last_offset_ns", "up")}


def test_collector_on_postgres_and_the_commands_answer_as_on_sqlite(postgres, tmp_path):
    url = postgres.create_database("same_answers")
    keys = Keys(tmp_path / "keys", agents=4)
    collector = Collector(keys, url)
    code, report = simulate(keys, collector, agents=4, rate=200, duration=2)
    collector.stop()
    assert code == 0, report
    assert_exactly_once(url, report)
    acknowledged = sum(a["acknowledged"] for a in report["agents"])
    exported = agents_events(lines("events", "--store", url, "--json"))
    assert len(exported) == acknowledged
    # The same data in SQLite, through the documented way of moving history between stores.
    sqlite = tmp_path / "same.db"
    (tmp_path / "export.jsonl").write_text("\n".join(exported) + "\n")
    run("events", "--db", sqlite, "--import", tmp_path / "export.jsonl")
    a_type = json.loads(exported[0])["type"]
    for flags in ([], ["--type", a_type], ["--severity", "low"], ["--agent", "sim-0002"],
                  ["--agent", "sim-0003", "--limit", "7"], ["--since", "1h"], ["--type", "agent_down"]):
        on_pg = agents_events(lines("events", "--store", url, "--json", *flags))
        on_sqlite = lines("events", "--store", f"sqlite:{sqlite}", "--json", *flags)
        assert on_pg == on_sqlite, flags
        assert bool(on_pg) == (flags != ["--type", "agent_down"]), flags
    replay_pg = agents_events(
        lines("replay", "--store", url, "--from", "1h", "--speed", "0", "--json"))
    replay_sqlite = lines("replay", "--db", sqlite, "--from", "1h", "--speed", "0", "--json")
    assert replay_pg == replay_sqlite and len(replay_pg) == acknowledged
    agents_pg = [a for a in map(json.loads, lines("agents", "--store", url, "--json"))
                 if a["agent_id"] != "collector"]
    agents_sqlite = [json.loads(l) for l in lines("agents", "--db", sqlite, "--json")]
    assert [event_derived(a) for a in agents_pg] == [event_derived(a) for a in agents_sqlite]
    assert [a["agent_id"] for a in agents_pg] == [f"sim-{i:04d}" for i in range(1, 5)]
    assert all(a["hostname"] for a in agents_pg), "the hellos' identity is stored"


def test_reading_commands_refuse_a_database_without_the_schema(postgres):
    url = postgres.create_database("empty_one")
    result = run("events", "--store", url, check=False)
    assert result.returncode == 1
    assert "start the collector" in result.stderr
    assert "password" not in result.stderr


def test_a_url_that_names_no_engine_is_refused_clearly(tmp_path):
    result = run("events", "--store", "mysql://localhost/x", check=False)
    assert result.returncode == 1 and "sqlite:PATH or postgresql://" in result.stderr


def test_postgres_restarted_mid_stream_loses_nothing(tmp_path):
    """`pg_ctl -m immediate` (SIGQUIT to the postmaster) while agents stream: the collector's
    flushes fail and are not acknowledged, the agents keep their events and resend, the store
    reconnects when the server is back — every acknowledged event stored exactly once."""
    with Postgres() as postgres:
        url = postgres.create_database("restarted")
        keys = Keys(tmp_path / "keys", agents=20)
        collector = Collector(keys, url)
        sim = simulate(keys, collector, agents=20, rate=50, duration=10, drain=60, background=True)
        try:
            wait_for(lambda: (collector.stats() or {}).get("events_stored", 0) > 500, timeout=20,
                     what="events stored before the crash")
            postgres.crash()
            wait_for(lambda: collector.stats()["store_failures"] > 0, timeout=20,
                     what="the collector noticing the server gone")
            stored_before = collector.stats()["events_stored"]
            postgres.start()
            wait_for(lambda: collector.stats()["events_stored"] > stored_before, timeout=30,
                     what="storing again after the restart")
            sim.popen.wait(timeout=120)
            assert sim.popen.returncode == 0, sim.log()[-3000:]
            report = json_lines(sim.log())[-1]
        finally:
            collector.stop()
            sim.stop()
        assert report["total_acknowledged"] == report["total_sent"]
        assert_exactly_once(url, report)
        stored = agents_events(lines("events", "--store", url, "--json"))
        assert len(stored) == report["total_acknowledged"]
        assert "cannot connect to PostgreSQL" in collector.process.log() or \
            "server closed the connection" in collector.process.log()
