"""SIGHUP to the agent daemon (the unit's ExecReload=): the agent reloads nothing yet (issue 16
leaves config and key reload open), so it must say so in one log line per signal and go on
polling and publishing: a reload never stops or silently ignores the service."""
import signal
import tempfile

from agent_helpers import agent_env, start_daemon
from peers import Chronyd, Mosquitto, wait_for

LINE = "SIGHUP: this version reloads nothing"


def test_sighup_is_answered_with_one_line_and_polling_goes_on():
    with Chronyd() as ntp, Mosquitto() as broker, tempfile.TemporaryDirectory() as spool:
        env = agent_env(ntp.port, broker.port, spool, CW_LOG_LEVEL="debug")
        agent = start_daemon(env, "--poll-interval", "0.2")
        try:
            polls = lambda: agent.log().count("poll round")  # noqa: E731
            wait_for(lambda: polls() >= 2 or not agent.alive(), timeout=20, what="two polls")
            for n in (1, 2):
                agent.send_signal(signal.SIGHUP)
                wait_for(lambda: agent.log().count(LINE) == n or not agent.alive(), timeout=5,
                         what=f"log line {n} after SIGHUP")
            seen = polls()
            wait_for(lambda: polls() >= seen + 3 or not agent.alive(), timeout=20,
                     what="polling after SIGHUP")
            assert agent.alive(), agent.log()
            assert agent.log().count(LINE) == 2, agent.log()
        finally:
            agent.stop()
