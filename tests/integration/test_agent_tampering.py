"""`chronowatch agent --once` finds tampered time on the host: a process under
`faketime -f '+1d'` (faketime_preload) and one in a time namespace made by
`unshare --time --boottime 3600` (time_namespace) are reported by pid; a plain `sleep` is not; the
agent under faketime reports its own clock (self); `--tamper-interval 0` turns the scan off. The
daemon (no --once) scanning every second reports processes started after it once each while they
live, by pid, and a new one again (a plain sleep never). The real clock is never touched (clock_set is unit-tested with literal steps)."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from peers import Process, chronowatch_binary, clear_stale_faketime_files, faketime_env, wait_for


def children(pid):
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        return [int(p) for p in open(path).read().split()]
    except OSError:
        return []


def the_sleep(process):
    """The `sleep` pid: the wrapper itself, or its child (faketime and unshare --fork fork)."""
    def find():
        for pid in [process.pid] + children(process.pid):
            try:
                if open(f"/proc/{pid}/comm").read().strip() == "sleep":
                    return pid
            except OSError:
                pass
        return None
    try:
        wait_for(lambda: find() is not None, timeout=20, what="sleep to start")
    except TimeoutError:  # CI saw this once for faketime: say what the wrapper did
        raise AssertionError((process.popen.poll(), children(process.pid), process.log()))
    return find()


@pytest.fixture
def processes():
    started = []

    def start(argv, name):
        if argv[0] == "faketime":
            clear_stale_faketime_files()
        p = Process(argv, name=name)
        started.append(p)
        return p
    yield start
    for p in started:
        p.stop()


def agent_once(*args, env=None):
    spool = tempfile.mkdtemp(prefix="cw-tamper-spool-")
    try:
        result = subprocess.run([chronowatch_binary(), "agent", "--once", "--sink", "stdout",
                                 "--spool-dir", spool, "--ntp-server", "127.0.0.1:9",
                                 "--ntp-timeout", "0.2", "--burst", "1", *args],
                                capture_output=True, text=True, timeout=60,
                                env=env or dict(os.environ))
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [e for e in events if e.get("event") == "time_tampering"], result


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
def test_faked_and_namespaced_processes_are_reported_by_pid(processes):
    faked = the_sleep(processes(["faketime", "-f", "+1d", "sleep", "600"], "faketime-sleep"))
    namespaced_wrapper = processes(["unshare", "--time", "--boottime", "3600", "--fork", "sleep",
                                    "600"], "unshare-sleep")
    namespaced = the_sleep(namespaced_wrapper)
    plain = the_sleep(processes(["sleep", "600"], "plain-sleep"))
    found, result = agent_once()
    by_pid = {e["pid"]: e for e in found if "pid" in e}
    assert faked in by_pid, (found, result.stderr)
    assert by_pid[faked]["kind"] == "faketime_preload" and by_pid[faked]["command"] == "sleep"
    assert "faketime" in by_pid[faked]["evidence"]
    if namespaced_wrapper.alive() and os.path.exists(f"/proc/{namespaced}/timens_offsets"):
        assert namespaced in by_pid, found
        assert by_pid[namespaced]["kind"] == "time_namespace"
        assert by_pid[namespaced]["boottime_offset_ns"] == 3600 * 10**9
    assert plain not in by_pid, found
    off, _ = agent_once("--tamper-interval", "0")
    assert off == []


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
def test_the_agent_reports_its_own_faked_clock():
    found, result = agent_once(env=faketime_env("+1d"))
    selves = [e for e in found if e["kind"] == "self"]
    assert len(selves) == 1, (found, result.stderr)
    assert abs(selves[0]["difference_ns"] - 86400 * 10**9) < 5 * 10**9


def tampering_lines(agent):
    out = []
    for line in agent.log().splitlines():
        if line.startswith("{") and '"time_tampering"' in line:
            out.append(json.loads(line))
    return out


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
def test_the_daemons_periodic_scan_reports_each_process_once_while_it_lives(processes, tmp_path):
    agent = processes([chronowatch_binary(), "agent", "--sink", "stdout", "--spool-dir",
                       tmp_path / "spool", "--ntp-server", "127.0.0.1:9", "--ntp-timeout", "0.2",
                       "--poll-interval", "30", "--tamper-interval", "1"], "agent-tamper-daemon")
    wait_for(lambda: "tamper" in agent.log().lower() or tampering_lines(agent) != [] or
             not agent.alive(), timeout=10, what="the agent to start its tamper scan")
    assert agent.alive(), agent.log()
    faked = the_sleep(processes(["faketime", "-f", "+1d", "sleep", "600"], "daemon-faketime"))
    namespaced_wrapper = processes(["unshare", "--time", "--boottime", "3600", "--fork", "sleep",
                                    "600"], "daemon-unshare")
    namespaced = the_sleep(namespaced_wrapper)
    plain = the_sleep(processes(["sleep", "600"], "daemon-plain"))
    with_timens = os.path.exists(f"/proc/{namespaced}/timens_offsets")

    def pids():
        return [e.get("pid") for e in tampering_lines(agent)]
    wait_for(lambda: faked in pids() and (not with_timens or namespaced in pids()), timeout=10,
             what="the faked and namespaced sleeps to be reported")
    scans_before = agent.log().count("\n")
    time.sleep(3.5)  # three more scans of one second: nothing new may be reported for them
    assert agent.alive(), agent.log()
    assert pids().count(faked) == 1 and pids().count(namespaced) <= 1, tampering_lines(agent)
    assert plain not in pids(), tampering_lines(agent)
    second = the_sleep(processes(["faketime", "-f", "-2h", "sleep", "600"], "daemon-faketime-2"))
    wait_for(lambda: second in pids(), timeout=10, what="a second faked sleep to be reported")
    assert pids().count(faked) == 1 and agent.log().count("\n") > scans_before
    by_pid = {e["pid"]: e for e in tampering_lines(agent) if "pid" in e}
    assert by_pid[faked]["kind"] == by_pid[second]["kind"] == "faketime_preload"
    if with_timens:
        assert by_pid[namespaced]["kind"] == "time_namespace"
