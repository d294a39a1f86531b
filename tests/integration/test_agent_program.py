"""The agent-only program, chronowatch-agent, over ZeroMQ to a real collector (the full program)
and chronyd: it contains libzmq, libsodium and libstdc++ (static archives, docs/packaging.md), so
these tests check that the contained libzmq delivers (CURVE, a stored time_drift), that a running
agent with the ZeroMQ sink maps none of the shared libraries it used to (libzmq.so.5, libstdc++,
Kerberos, NORM, OpenPGM, libsodium), and that an endpoint whose transport the agent lacks (epgm://,
norm://) is refused with libzmq's message instead of reaching the stubs of agent_static_zmq.cpp."""
import pathlib
import re
import subprocess

import pytest
from agent_helpers import agent_env
from peers import Process, chronowatch_binary, free_port, wait_for
from pipeline_support import Collector, Keys
from test_agent_zmq import stored, zmq_args

AGENT = pathlib.Path(chronowatch_binary()).with_name("chronowatch-agent")
pytestmark = pytest.mark.skipif(not AGENT.exists(), reason=f"{AGENT} is not built")

NOT_MAPPED = ("libzmq", "libstdc++", "libsodium", "libkrb5", "libgssapi", "libnorm", "libpgm",
              "libspdlog", "libfmt")


def agent_once(env, *args):
    return subprocess.run([AGENT, "agent", "--once", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_agent_program_links_only_libc_libm_and_the_loader():
    dynamic = subprocess.run(["readelf", "-d", AGENT], capture_output=True, text=True,
                             check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dynamic)
    assert sorted(needed) == ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6"], needed


def test_its_libzmq_delivers_a_time_drift_to_the_collector(chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="prog")
    collector = Collector(keys, tmp_path / "events.db")
    try:
        env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID="prog-0001")
        result = agent_once(env, *zmq_args(keys, collector, "prog-0001"))
        assert result.returncode == 3, result.stderr
    finally:
        assert collector.stop() == 0
    types = [e["type"] for e in stored(tmp_path / "events.db", "prog-0001")]
    assert types.count("time_drift") == 1, types


def test_a_running_agent_with_the_zeromq_sink_maps_no_shared_libzmq(chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="prog")
    collector = Collector(keys, tmp_path / "events.db")
    env = agent_env(chronyd.port, free_port(), spool, CW_AGENT_ID="prog-0001", CW_LOG_LEVEL="debug")
    agent = Process([AGENT, "agent", "--poll-interval", "0.5", *zmq_args(keys, collector,
                                                                         "prog-0001")],
                    env=env, name="agent-program")
    try:
        # agent_start went through libzmq (CURVE handshake, acknowledged batch) and was stored.
        wait_for(lambda: "agent_start" in [e["type"] for e in stored(tmp_path / "events.db",
                                                                      "prog-0001")]
                 or not agent.alive(), timeout=30, interval=0.5, what="agent_start stored")
        assert agent.alive(), agent.log()
        maps = pathlib.Path(f"/proc/{agent.pid}/maps").read_text()
        mapped = sorted({m for m in re.findall(r"/([^/\s]+\.so[.\d]*)$", maps, re.M)})
        assert not [m for m in mapped if m.startswith(NOT_MAPPED)], mapped
    finally:
        assert agent.stop() == 0, agent.log()
        collector.stop()


@pytest.mark.parametrize("endpoint", ["epgm://lo;239.192.0.1:5555", "norm://127.0.0.1:5555"])
def test_a_transport_the_agent_lacks_is_refused_by_libzmq(chronyd, spool, tmp_path, endpoint):
    keys = Keys(tmp_path, agents=1, prefix="prog")
    # A clock 10 minutes ahead: a time_drift to send, so that the sink connects.
    env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID="prog-0001")
    args = ["--sink", "zmq", "--collector", endpoint, "--collector-key",
            str(keys.server / "collector.pub"), "--key", str(keys.agents / "prog-0001.key"),
            "--mqtt-timeout", "1"]
    result = agent_once(env, *args)
    assert result.returncode == 1, (result.returncode, result.stderr)  # not SIGABRT (-6)
    assert "The protocol is not compatible with the socket type" in result.stderr, result.stderr
    assert "not part of the agent" not in result.stderr
