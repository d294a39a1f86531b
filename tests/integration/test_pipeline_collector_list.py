"""Several collectors given as a list, repeated or comma-separated (docs/pipeline.md, "Several
collectors"): the agent (`--collector` twice), `simulate` (repeated and comma-separated) and
`replay --to` (twice) each deliver everything to the one live collector whichever of the two
they start at: one of the two orders starts at the dead one and must fail over."""
import json

import pytest

from agent_helpers import agent_env, run_once
from peers import free_port
from pipeline_support import Collector, Keys, run, simulate, stored_events


def dead_endpoint():
    return f"tcp://127.0.0.1:{free_port()}"  # nothing listens there


@pytest.mark.parametrize("live_first", [True, False])
def test_agent_with_collector_repeated_reaches_the_live_one(chronyd, spool, tmp_path, live_first):
    keys = Keys(tmp_path, agents=1, prefix="drift")
    db = tmp_path / "events.db"
    collector = Collector(keys, db)
    endpoints = [collector.endpoint, dead_endpoint()]
    if not live_first:
        endpoints.reverse()
    try:
        env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID="drift-0001")
        args = ["--sink", "zmq", "--collector", endpoints[0], "--collector", endpoints[1],
                "--collector-key", str(keys.server / "collector.pub"),
                "--key", str(keys.agents / "drift-0001.key"), "--mqtt-timeout", "30"]
        result = run_once(env, *args, timeout=90)
        assert result.returncode == 3, result.stderr
    finally:
        assert collector.stop() == 0
    lines = run("events", "--db", db, "--agent", "drift-0001", "--json").stdout.splitlines()
    types = [json.loads(line)["type"] for line in lines]
    assert "time_drift" in types and "agent_start" in types, types


def test_simulate_and_replay_take_repeated_and_comma_separated_lists(tmp_path):
    keys = Keys(tmp_path / "keys", agents=4)
    db = tmp_path / "events.db"
    collector = Collector(keys, db)
    dead = dead_endpoint()
    code, report = simulate(keys, collector, agents=4, rate=50, duration=1,
                            extra=("--collector", dead, "--collector", collector.endpoint,
                                   "--failover-after", "1"))
    assert code == 0, report
    code2, report2 = simulate(keys, collector, agents=4, rate=50, duration=1, prefix="sim",
                              extra=("--collector", f"{collector.endpoint},{dead}",
                                     "--failover-after", "1"))
    assert code2 == 0, report2
    acknowledged = sum(a["acknowledged"] for a in report["agents"] + report2["agents"])
    assert acknowledged > 0
    assert sum(len(s) for s in stored_events(db).values()) == acknowledged
    assert sum(a.get("failovers", 0) for a in report["agents"] + report2["agents"]) > 0, \
        "with a dead collector in the list some agents start there and must fail over"
    collector.stop()

    # replay --to, repeated: one agent's history sent again through whichever is alive (the
    # store acknowledges what it holds already).
    keys1 = Keys(tmp_path / "keys1", agents=1, prefix="one")
    db1 = tmp_path / "one.db"
    target = Collector(keys1, db1)
    try:
        code, report = simulate(keys1, target, agents=1, rate=50, duration=1, prefix="one")
        assert code == 0, report
        sent = report["agents"][0]["acknowledged"]
        result = run("replay", "--db", db1, "--from", "1h", "--speed", "0", "--to", dead,
                     "--to", target.endpoint, "--key", keys1.agents / "one-0001.key",
                     "--collector-key", keys1.server / "collector.pub", "--json",
                     check=False, timeout=120)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout.splitlines()[-1])
        assert summary["total_acknowledged"] == sent, summary
    finally:
        target.stop()
