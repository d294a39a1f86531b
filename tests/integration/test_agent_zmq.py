"""`chronowatch agent --sink zmq`: the drift agent's events reach a real collector over ZeroMQ
with CURVE (seed 000's alert in seed 002's pipeline): faketime '+10 minutes' → a stored
time_drift from this agent, plus its agent_start; an agent whose key is not authorized delivers
nothing and keeps its alert in the spool."""
import json

from agent_helpers import agent_env, run_once
from peers import free_port
from pipeline_support import Collector, Keys, run


def zmq_args(keys, collector, name, timeout=10):
    return ["--sink", "zmq", "--collector", collector.endpoint,
            "--collector-key", str(keys.server / "collector.pub"),
            "--key", str(keys.agents / f"{name}.key"), "--mqtt-timeout", str(timeout)]


def stored(db, agent):
    result = run("events", "--db", db, "--agent", agent, "--json", check=False)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_time_drift_reaches_the_collector(chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="drift")
    collector = Collector(keys, tmp_path / "events.db")
    try:
        env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID="drift-0001")
        result = run_once(env, *zmq_args(keys, collector, "drift-0001"))
        assert result.returncode == 3, result.stderr
    finally:
        assert collector.stop() == 0
    events = stored(tmp_path / "events.db", "drift-0001")
    types = [e["type"] for e in events]
    assert types.count("time_drift") == 1, types
    assert "agent_start" in types
    drift = next(e for e in events if e["type"] == "time_drift")
    assert abs(abs(drift["data"]["offset_ns"]) / 1e9 - 600) < 1


def test_an_unauthorized_agent_delivers_nothing_and_keeps_its_alert(chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="drift")
    run("simulate", "--agents", 1, "--prefix", "rogue", "--keys", keys.agents, "--duration", 0)
    collector = Collector(keys, tmp_path / "events.db")
    try:
        env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID="rogue")
        result = run_once(env, *zmq_args(keys, collector, "rogue-0001", timeout=2))
        assert result.returncode == 5, result.stderr
    finally:
        collector.stop()
    assert stored(tmp_path / "events.db", "rogue") == []
    assert any((spool / "zmq").iterdir())
