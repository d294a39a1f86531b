"""The documents chronowatch started from, tried as their users would type them (one test per
document's invocation): the drift agent's environment variables under `faketime` with a real
mosquitto; the NTP client's `--server --port --auth` with NTP_SECRET_KEY against our own server;
the networked agent's command line and its agent_config.yaml verbatim. Every peer is on loopback:
the networked agent's endpoint 192.168.1.100 is only parsed (--check-config), never connected to;
the live run overrides just the endpoint, the interface and the NTP server."""
import json
import os
import signal
import subprocess

from agent_helpers import Subscriber, TOPIC
from peers import Mosquitto, chronowatch_binary, clear_stale_faketime_files, free_port, wait_for
from pipeline_support import Collector, Keys, run
from serve_support import Server

CW = chronowatch_binary()

# The networked agent's agent_config.yaml, verbatim.
AGENT_CONFIG_YAML = """agent:
  heartbeat_interval: 30
  max_events_per_second: 100

network_monitor:
  detection:
    max_connections_per_ip: 50
    port_scan_threshold: 10
    
    suspicious_ports:
      - 22    # SSH
      - 502   # Modbus
      - 3389  # RDP
    
    scada_ports:
      - 502   # Modbus
      - 2404  # IEC 61850
      - 44818 # EtherNet/IP

zeromq:
  publisher:
    endpoint: "tcp://localhost:5555"
    high_water_mark: 1000
"""

# Its documented command line, verbatim (after `chronowatch agent`).
AGENT_COMMAND_LINE = ["--agent-id", "network-001", "--interface", "eth0",
                      "--zmq-endpoint", "tcp://192.168.1.100:5555", "--log-level", "DEBUG"]


def clean_env(**extra):
    """The environment without any chronowatch or seed variable of the caller's, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CW_", "MQTT_", "NTP_")) and k != "THRESHOLD"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def test_drift_agent_environment_under_faketime_publishes_the_alert(chronyd, workdir):
    """THRESHOLD, NTP_SRV, MQTT_HOST, MQTT_PORT, MQTT_TOPIC as documented, the clock ten minutes
    ahead with the `faketime` wrapper: one time_drift payload with the documented fields."""
    with Mosquitto() as broker:
        subscriber = Subscriber(broker.port)
        try:
            env = clean_env(THRESHOLD=300, NTP_SRV=f"127.0.0.1:{chronyd.port}",
                            MQTT_HOST="127.0.0.1", MQTT_PORT=broker.port, MQTT_TOPIC=TOPIC,
                            CW_AGENT_SPOOL_DIR=workdir / "spool")
            clear_stale_faketime_files()
            result = subprocess.run(["faketime", "-f", "+10m", CW, "agent", "--once"], env=env,
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 3, result.stderr  # drift found, alert delivered
            messages = subscriber.wait_for_count(1)
        finally:
            subscriber.close()
    drifts = [m for m in messages if isinstance(m, dict) and m.get("event") == "time_drift"]
    assert len(drifts) == 1, messages
    payload = drifts[0]
    assert {"event", "offset", "abs_offset", "threshold", "timestamp"} <= payload.keys()
    assert payload["threshold"] == 300
    assert abs(payload["abs_offset"] - 600) < 1, payload
    assert abs(abs(payload["offset"]) - 600) < 1, payload


def test_ntp_client_server_port_auth_with_the_shared_secret():
    """`query --server HOST --port N --auth` with NTP_SECRET_KEY, against `serve` holding the same
    secret and giving time only to authenticated requests; another secret fails (exit 5)."""
    secret = "a shared secret of the lab"
    with Server("--upstream", "none", "--local-stratum", "2", "--require-auth",
                env=clean_env(NTP_SECRET_KEY=secret)) as server:
        argv = [CW, "query", "--server", "127.0.0.1", "--port", str(server.port), "--auth"]
        table = subprocess.run(argv, env=clean_env(NTP_SECRET_KEY=secret), capture_output=True,
                               text=True, timeout=60)
        assert table.returncode == 0, table.stderr
        as_json = subprocess.run(argv + ["--json"], env=clean_env(NTP_SECRET_KEY=secret),
                                 capture_output=True, text=True, timeout=60)
        assert as_json.returncode == 0, as_json.stderr
        report = json.loads(as_json.stdout)
        assert report["servers"][0]["authenticated"] is True
        assert abs(report["offset"]) < 0.01
        wrong = subprocess.run(argv, env=clean_env(NTP_SECRET_KEY="another secret"),
                               capture_output=True, text=True, timeout=60)
        assert wrong.returncode == 5, wrong.stderr


def test_networked_agent_line_and_yaml_without_keys_says_what_to_add(tmp_path):
    (tmp_path / "agent_config.yaml").write_text(AGENT_CONFIG_YAML)
    result = subprocess.run([CW, "agent", *AGENT_COMMAND_LINE, "--config",
                             tmp_path / "agent_config.yaml", "--check-config"],
                            env=clean_env(), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for place in ("--collector-key", "CW_AGENT_COLLECTOR_KEY", "agent.collector_key",
                  "--key", "CW_AGENT_KEY", "agent.key", "tcp://192.168.1.100:5555", "keygen"):
        assert place in lines[0], lines[0]


def test_networked_agent_line_and_yaml_mean_what_they_say(tmp_path):
    """Parsed only (--check-config): the command line wins over the file's endpoint, the file's
    agent, zeromq and network_monitor keys all land where they mean, nothing is warned about."""
    (tmp_path / "agent_config.yaml").write_text(AGENT_CONFIG_YAML)
    env = clean_env(CW_AGENT_KEY=tmp_path / "network-001.key",
                    CW_AGENT_COLLECTOR_KEY=tmp_path / "collector.pub")
    result = subprocess.run([CW, "agent", *AGENT_COMMAND_LINE, "--config",
                             tmp_path / "agent_config.yaml", "--check-config"],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    settings = json.loads(result.stdout)
    assert settings["agent_id"] == "network-001"
    assert settings["sinks"] == ["zmq"]
    assert settings["collector"]["endpoint"] == "tcp://192.168.1.100:5555"
    assert settings["collector"]["heartbeat_interval"] == 30
    assert settings["collector"]["max_events_per_second"] == 100
    assert settings["collector"]["queue_events"] == 1000  # zeromq.publisher.high_water_mark
    netmon = settings["network_monitor"]
    assert netmon["interface"] == "eth0"
    assert netmon["port_scan_threshold"] == 10 and netmon["max_connections_per_ip"] == 50
    assert netmon["suspicious_ports"] == [22, 502, 3389]
    assert netmon["scada_ports"] == [502, 2404, 44818]
    # Without the flag, the file's endpoint is the one.
    from_file = subprocess.run([CW, "--config", tmp_path / "agent_config.yaml", "agent",
                                "--check-config"], env=env, capture_output=True, text=True,
                               timeout=30)
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout)["collector"]["endpoint"] == "tcp://localhost:5555"


def test_python_log_level_names_are_accepted(chronyd, tmp_path):
    """The networked agent's users write DEBUG, INFO, WARNING, ERROR (Python's names)."""
    env = clean_env(NTP_SRV=f"127.0.0.1:{chronyd.port}", CW_AGENT_SPOOL_DIR=tmp_path / "spool")
    quiet = subprocess.run([CW, "agent", "--once", "--sink", "stdout", "--log-level", "WARNING"],
                           env=env, capture_output=True, text=True, timeout=30)
    assert quiet.returncode == 0, quiet.stderr
    assert " info " not in quiet.stderr, quiet.stderr
    chatty = subprocess.run([CW, "agent", "--once", "--sink", "stdout", "--log-level", "DEBUG"],
                            env=env, capture_output=True, text=True, timeout=30)
    assert chatty.returncode == 0, chatty.stderr
    assert " debug " in chatty.stderr, chatty.stderr


def test_a_misspelt_yaml_key_is_named_in_a_warning(tmp_path):
    config = tmp_path / "agent_config.yaml"
    config.write_text(AGENT_CONFIG_YAML.replace("max_events_per_second", "max_event_per_second"))
    env = clean_env(CW_AGENT_KEY="a.key", CW_AGENT_COLLECTOR_KEY="c.pub")
    result = subprocess.run([CW, "agent", *AGENT_COMMAND_LINE, "--config", config,
                             "--check-config"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "unknown key agent.max_event_per_second" in result.stderr, result.stderr


def test_networked_agent_reaches_a_loopback_collector(chronyd, tmp_path):
    """The same line and file, live: only the endpoint (a loopback collector), the interface (lo)
    and the NTP server (a loopback chronyd) are overridden; the agent's start is stored."""
    keys = Keys(tmp_path, agents=1)
    run("keygen", "--out", keys.agents, "--name", "network-001")
    (keys.authorized / "network-001.pub").write_bytes((keys.agents / "network-001.pub").read_bytes())
    (tmp_path / "agent_config.yaml").write_text(AGENT_CONFIG_YAML)
    collector = Collector(keys, tmp_path / "events.db")
    line = list(AGENT_COMMAND_LINE)
    line[line.index("eth0")] = "lo"
    line[line.index("tcp://192.168.1.100:5555")] = collector.endpoint
    env = clean_env(NTP_SRV=f"127.0.0.1:{chronyd.port}", CW_AGENT_SPOOL_DIR=tmp_path / "spool",
                    CW_AGENT_KEY=keys.agents / "network-001.key",
                    CW_AGENT_COLLECTOR_KEY=keys.server / "collector.pub")
    agent = subprocess.Popen([CW, "agent", *line, "--config", tmp_path / "agent_config.yaml"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def stored():
            result = run("events", "--db", tmp_path / "events.db", "--agent", "network-001",
                         "--json", check=False)
            return [json.loads(l)["type"] for l in result.stdout.splitlines() if l.startswith("{")]
        wait_for(lambda: "agent_start" in stored() or agent.poll() is not None, timeout=30,
                 what="the agent's agent_start in the collector's store")
        assert agent.poll() is None, agent.stderr.read()
    finally:
        if agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
        _, stderr = agent.communicate(timeout=30)
        collector.stop()
    assert agent.returncode == 0, stderr
    assert "agent_start" in stored()
