"""`chronowatch agent --once` as seed 000 uses it: faketime '+10 minutes' against an honest chronyd
publishes exactly one time_drift to a real Mosquitto; an honest clock publishes nothing; bad
configuration is refused naming the variable."""
import json
import time

import pytest

from agent_helpers import Subscriber, agent_env, run_once
from peers import Chronyd, Mosquitto, free_port


@pytest.fixture
def broker():
    with Mosquitto() as b:
        yield b


def test_ten_minutes_ahead_publishes_one_time_drift(chronyd, broker, spool):
    subscriber = Subscriber(broker.port)
    try:
        result = run_once(agent_env(chronyd.port, broker.port, spool, faketime="+600s"))
        assert result.returncode == 3, result.stderr  # 3: drift found and delivered
        messages = subscriber.wait_for_count(1)
        time.sleep(1.0)  # anything more would arrive now
        messages = subscriber.received()
    finally:
        subscriber.close()
    assert len(messages) == 1, messages
    alert = messages[0]
    assert alert["event"] == "time_drift"
    assert alert["abs_offset"] == pytest.approx(600, abs=1)
    assert alert["offset"] == pytest.approx(-600, abs=1)  # server − local: local is ahead
    assert alert["threshold"] == 300
    assert alert["server"] == f"127.0.0.1:{chronyd.port}"
    assert alert["agent_id"] == "agent1"
    assert alert["stratum"] == 2
    assert 0 < alert["delay"] < 0.5
    assert 0 < alert["error_bound"] < 1
    assert alert["severity"] == "high"
    assert alert["sequence"] >= 1
    assert alert["timestamp"].endswith("Z") and len(alert["timestamp"]) == 27


def test_honest_clock_publishes_nothing_and_exits_zero(chronyd, broker, spool):
    subscriber = Subscriber(broker.port)
    try:
        result = run_once(agent_env(chronyd.port, broker.port, spool), "--json")
        time.sleep(1.0)
        assert subscriber.received() == []
    finally:
        subscriber.close()
    assert result.returncode == 0, result.stderr
    assert '"drift":false' in result.stdout


def test_threshold_from_environment_is_used(chronyd, broker, spool):
    # 5 s ahead, threshold 2 s: drift; the payload carries the configured threshold
    subscriber = Subscriber(broker.port)
    try:
        env = agent_env(chronyd.port, broker.port, spool, faketime="+5s", THRESHOLD="2")
        assert run_once(env).returncode == 3
        messages = subscriber.wait_for_count(1)
    finally:
        subscriber.close()
    assert messages[0]["threshold"] == 2
    assert messages[0]["abs_offset"] == pytest.approx(5, abs=0.5)


def test_stdout_sink_prints_the_same_payload(chronyd, spool):
    env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_SINK="stdout")
    result = run_once(env)
    assert result.returncode == 3, result.stderr
    assert '"event":"time_drift"' in result.stdout.splitlines()[0]


def test_stdout_sequence_survives_restarts(chronyd, spool):
    """stdout has no spool: the agent keeps its sequence in the spool directory (issue 5)."""
    env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_SINK="stdout")
    numbers = []
    for _ in range(3):
        result = run_once(env)
        assert result.returncode == 3, result.stderr
        numbers += [json.loads(line)["sequence"] for line in result.stdout.splitlines()]
    assert numbers == [1, 2, 3]
    assert (spool / "agent.sequence").read_text() == "3\n"


def test_stdout_sequence_without_a_writable_directory_says_so(chronyd, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    env = agent_env(chronyd.port, free_port(), blocker / "spool", faketime="+600s",
                    CW_SINK="stdout")
    result = run_once(env)
    assert result.returncode == 3, result.stderr  # the alert still goes out
    assert json.loads(result.stdout.splitlines()[0])["sequence"] == 1
    assert "sequence numbers start again from 1" in result.stderr


def test_no_server_answers_exit_four(spool):
    env = agent_env(free_port(), free_port(), spool, CW_NTP_TIMEOUT="0.3", MQTT_TIMEOUT="1")
    result = run_once(env)
    assert result.returncode == 4, result.stderr
    assert "no NTP server" in result.stderr


@pytest.mark.parametrize("variable,value", [
    ("THRESHOLD", "abc"), ("THRESHOLD", "-5"), ("MQTT_PORT", "99999"), ("MQTT_PORT", "x"),
    ("NTP_SRV", "host:notaport"), ("MQTT_QOS", "3"), ("CW_POLL_INTERVAL", "0"),
])
def test_bad_value_is_refused_naming_the_variable(spool, variable, value):
    env = agent_env(free_port(), free_port(), spool, **{variable: value})
    result = run_once(env, timeout=10)
    assert result.returncode == 2
    assert variable in result.stderr, result.stderr


def test_flags_win_over_environment_over_the_config_file(chronyd, spool):
    config = spool / "agent.yaml"
    config.write_text("agent:\n  threshold: 2\n  sink: [stdout]\n")
    base = agent_env(chronyd.port, free_port(), spool, faketime="+5s")
    assert run_once(base, "--config", str(config)).returncode == 3       # file: 2 s
    env = dict(base, THRESHOLD="10")
    assert run_once(env, "--config", str(config)).returncode == 0        # environment: 10 s
    assert run_once(env, "--config", str(config), "--threshold", "1").returncode == 3  # flag


def test_a_lying_server_among_three_is_a_falseticker(chronyd, spool):
    """Selection (RFC 5905 §11.2.1) over real servers: two honest chronyd agree, a third serving
    a clock 30 s ahead is outvoted; the combined offset stays honest (no drift, exit 0)."""
    with Chronyd() as honest, Chronyd(faketime="+30s") as liar:
        servers = ",".join(f"127.0.0.1:{s.port}" for s in (chronyd, honest, liar))
        env = agent_env(chronyd.port, free_port(), spool, NTP_SRV=servers, CW_SINK="stdout")
        result = run_once(env, "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    summary = next(line for line in lines if "servers" in line)  # --json; then the events
    assert abs(summary["offset"]) < 1
    verdicts = {s["server"]: s["falseticker"] for s in summary["servers"]}
    assert verdicts == {f"127.0.0.1:{chronyd.port}": False, f"127.0.0.1:{honest.port}": False,
                        f"127.0.0.1:{liar.port}": True}, summary
    events = [line for line in lines if line.get("event") == "falseticker"]
    assert events and str(liar.port) in json.dumps(events[0]), result.stdout
