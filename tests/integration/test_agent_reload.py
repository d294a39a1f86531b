"""SIGHUP to the agent daemon (the unit's ExecReload=): the agent reads its command line,
environment and --config again. Against a real chronyd serving a clock 2.5 s ahead and a real
Mosquitto: with `threshold: 10` in the file nothing is published; the file is changed to
`threshold: 1` (and another MQTT topic, which cannot be reloaded) and SIGHUP makes the next poll
publish time_drift with threshold 1 on the topic it started with, the log naming what was applied
and what needs a restart. A broken file changes nothing, says why, and polling goes on."""
import pathlib
import re
import signal
import tempfile

from agent_helpers import TOPIC, Subscriber, agent_env, start_daemon
from peers import Chronyd, Mosquitto, wait_for

APPLIED = "SIGHUP: configuration reloaded; applied --threshold"
RESTART = "SIGHUP: --mqtt-topic changed but cannot be reloaded"
BROKEN = "SIGHUP: configuration not reloaded, the running one stays"


def write_config(path, threshold, topic=TOPIC):
    path.write_text(f"agent:\n  threshold: {threshold}\n  poll_interval: 0.2\n"
                    f"  mqtt_topic: {topic}\n")


def test_sighup_applies_a_new_threshold_and_names_what_needs_a_restart():
    with Chronyd(faketime="+2.5s") as ntp, Mosquitto() as broker, \
            tempfile.TemporaryDirectory() as spool:
        config = pathlib.Path(spool) / "agent.yaml"
        write_config(config, threshold=10)
        env = agent_env(ntp.port, broker.port, spool, CW_LOG_LEVEL="debug")
        del env["MQTT_TOPIC"]  # the file's topic, so that a change in it is seen
        subscriber = Subscriber(broker.port)
        agent = start_daemon(env, "--config", str(config))
        try:
            polls = lambda: agent.log().count("poll round")  # noqa: E731
            wait_for(lambda: polls() >= 5 or not agent.alive(), timeout=20, what="five polls")
            assert agent.alive(), agent.log()
            assert re.search(r"offset \+2\.(49|50)", agent.log()), agent.log()  # chronyd's +2.5 s
            assert not [m for m in subscriber.received() if m.get("event") == "time_drift"], \
                "within threshold 10: nothing to publish"

            write_config(config, threshold=1, topic="LAB/elsewhere")
            agent.send_signal(signal.SIGHUP)
            wait_for(lambda: APPLIED in agent.log() or not agent.alive(), timeout=10,
                     what="the reload's log line")
            assert RESTART in agent.log(), agent.log()
            drift = lambda: [m for m in subscriber.received()  # noqa: E731
                             if isinstance(m, dict) and m.get("event") == "time_drift"]
            wait_for(lambda: drift() or not agent.alive(), timeout=20,
                     what="time_drift under the new threshold, on the topic it started with")
            assert drift()[0]["threshold"] == 1, drift()[0]

            config.write_text("agent: [unclosed\n")
            agent.send_signal(signal.SIGHUP)
            wait_for(lambda: BROKEN in agent.log() or not agent.alive(), timeout=10,
                     what="the broken file's log line")
            seen = polls()
            wait_for(lambda: polls() >= seen + 3 or not agent.alive(), timeout=20,
                     what="polling after the broken reload")
            assert agent.alive(), agent.log()
            assert agent.log().count(APPLIED) == 1, agent.log()
        finally:
            agent.stop()
            subscriber.close()
