"""Issue 5: "the agent restarted with events in its spool: same [every event exactly once]",
through the real binaries. `chronowatch agent --sink zmq` (faketime '+10 minutes' against a
loopback chronyd, heartbeats every 0.2 s) runs while its collector is down, so its drift alert,
agent_start and heartbeats pile up in its durable spool; it is SIGKILLed, restarted (it says how
many events it found in its spool), and only then is the collector started. The store ends with
every sequence from 1 exactly once, contiguous across the restart: the first run's events, the
second run's agent_start right after them, and the graceful stop's agent_stop last."""
import re
import signal
import socket
import struct

from agent_helpers import agent_env, start_daemon
from peers import free_port, wait_for
from pipeline_support import Collector, Keys, json_lines, run

AGENT = "drift-0001"


def spooled(directory):
    """Whole records in the agent's spool segments (transport/spool_record.h: length:u32 id:u64
    payload crc:u32), acknowledged or not: how much the agent has written so far."""
    count = 0
    for segment in sorted(directory.glob("segment-*.log")):
        data, at = segment.read_bytes(), 0
        while at + 16 <= len(data):
            end = at + 16 + struct.unpack(">I", data[at:at + 4])[0]
            if end > len(data):
                break
            count, at = count + 1, end
    return count


def stored(db):
    result = run("events", "--db", db, "--agent", AGENT, "--json", "--limit", "100000", check=False)
    events = [e for e in json_lines(result.stdout) if e["sequence"] < 2**63]
    return sorted(events, key=lambda e: e["sequence"])


def test_agent_restarted_with_events_in_its_spool_delivers_each_once(chronyd, spool, tmp_path):
    keys = Keys(tmp_path, agents=1, prefix="drift")
    port = free_port(socket.SOCK_STREAM)  # nothing listens there until the collector starts
    env = agent_env(chronyd.port, free_port(), spool, faketime="+600s", CW_AGENT_ID=AGENT)
    args = ["--sink", "zmq", "--collector", f"tcp://127.0.0.1:{port}",
            "--collector-key", str(keys.server / "collector.pub"),
            "--key", str(keys.agents / f"{AGENT}.key"), "--heartbeat-interval", "0.2"]
    first = start_daemon(env, *args)
    # Its drift alert is submitted (logged); the sender thread that spools it also spools the
    # heartbeats, so two more heartbeats in the spool mean the alert is there too.
    wait_for(lambda: "event time_drift" in first.log() or not first.alive(), timeout=20,
             what="the first run's drift alert")
    so_far = spooled(spool / "zmq")
    wait_for(lambda: spooled(spool / "zmq") >= max(so_far + 2, 6) or not first.alive(),
             timeout=20, what="the first run's events in its spool")
    assert first.alive(), first.log()
    first.stop(signal.SIGKILL)  # no agent_stop, nothing acknowledged: all of it is in the spool

    second = start_daemon(env, *args)
    collector = None
    try:
        pattern = re.compile(r"sender: (\d+) events from before the restart are in the spool")
        wait_for(lambda: pattern.search(second.log()), timeout=10, what="the spool found at restart")
        in_spool = int(pattern.search(second.log()).group(1))
        assert in_spool >= 5, second.log()
        # The second run adds to the spool too, the collector still down.
        wait_for(lambda: spooled(spool / "zmq") >= in_spool + 3, timeout=20,
                 what="the second run's events in its spool")
        collector = Collector(keys, tmp_path / "events.db", port=port)
        wait_for(lambda: len(stored(tmp_path / "events.db")) >= in_spool + 5, timeout=30,
                 what="both runs' events stored")
    finally:
        try:
            assert second.stop(signal.SIGTERM) == 0, second.log()
            if collector:  # the agent stopped after its agent_stop was acknowledged, i.e. stored
                wait_for(lambda: any(e["type"] == "agent_stop"
                                     for e in stored(tmp_path / "events.db")),
                         timeout=10, what="the second run's agent_stop stored")
        finally:  # a failed check above must not leave the collector running
            if collector:
                assert collector.stop() == 0
    events = stored(tmp_path / "events.db")
    sequences = [e["sequence"] for e in events]
    assert sequences == list(range(1, len(events) + 1)), sequences  # each once, no gap
    starts = [e["sequence"] for e in events if e["type"] == "agent_start"]
    assert starts == [1, in_spool + 1], starts  # the second run continues the first's sequences
    first_run = events[:in_spool]
    assert any(e["type"] == "time_drift" for e in first_run), [e["type"] for e in first_run]
    assert sum(e["type"] == "heartbeat" for e in first_run) >= 3
    assert events[-1]["type"] == "agent_stop"
    assert [e["type"] for e in events].count("agent_stop") == 1
    # Heartbeats carry what issue 5 lists, read from /proc: uptime, sent, dropped, spooled, CPU %,
    # RSS, load, connectivity, version (and the interval).
    beats = [e for e in events if e["type"] == "heartbeat"]
    for beat in beats:
        data = beat["data"]
        assert data["uptime_ns"] > 0 and data["rss_bytes"] > 1 << 20, beat
        assert data["cpu_percent"] >= 0 and data["load1"] >= 0, beat
        assert {"events_sent", "events_dropped", "events_spooled", "connected"} <= data.keys(), beat
        assert beat["attributes"]["heartbeat_interval_s"] == 1 and beat["attributes"]["version"], beat
    assert not any(b["data"]["connected"] for b in beats[:3])  # the collector was down
    assert all(b["data"]["events_spooled"] >= 1 for b in beats[:3])
    assert any(b["data"]["connected"] and b["data"]["events_sent"] > 0 for b in beats), beats[-1]
