"""A clock step is noticed by the running agent within a second, without waiting for a poll, and
the new offset is measured at once. The step is made inside the agent's process only: libfaketime
reads its offset from a file we rewrite (FAKETIME_TIMESTAMP_FILE, no cache) while CLOCK_MONOTONIC
and CLOCK_BOOTTIME stay real (FAKETIME_DONT_FAKE_MONOTONIC), which is what `date -s` looks like
to a process. This machine's clock is never touched."""
import json
import time

import pytest

from agent_helpers import agent_env, start_daemon
from peers import Chronyd, free_port, wait_for


def events(process):
    found = []
    for line in process.log().splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def test_step_is_noticed_within_a_second_and_measured_at_once(workdir):
    offset_file = workdir / "faketime"
    offset_file.write_text("+0s\n")
    with Chronyd() as chronyd:
        env = agent_env(chronyd.port, free_port(), workdir / "spool", faketime="+0s",
                        FAKETIME_TIMESTAMP_FILE=offset_file, FAKETIME_NO_CACHE="1",
                        FAKETIME_DONT_FAKE_MONOTONIC="1", CW_SINK="stdout")
        del env["FAKETIME"]  # the file says it
        agent = start_daemon(env, "--poll-interval", "3600", "--burst", "1",  # no poll would come
                             "--log-level", "debug")
        try:
            # The first poll is done (the clock baseline was taken before it).
            wait_for(lambda: "poll round:" in agent.log() or not agent.alive(), timeout=20,
                     what="the agent's first poll")
            assert events(agent) == []
            offset_file.write_text("+600s\n")  # the clock jumps ten minutes ahead
            stepped_at = time.monotonic()
            wait_for(lambda: any(e["event"] == "clock_step" for e in events(agent)), timeout=5,
                     what="clock_step")
            noticed_after = time.monotonic() - stepped_at
            wait_for(lambda: any(e["event"] == "time_drift" for e in events(agent)), timeout=10,
                     what="time_drift after the step")
        finally:
            agent.stop()
    step = next(e for e in events(agent) if e["event"] == "clock_step")
    drift = next(e for e in events(agent) if e["event"] == "time_drift")
    assert noticed_after < 1.0 + 0.5  # checked every 250 ms; slack for a loaded machine
    assert step["step"] == pytest.approx(600, abs=1)
    assert step["severity"] == "high"
    assert drift["offset"] == pytest.approx(-600, abs=1)
    assert drift["sequence"] > step["sequence"]
