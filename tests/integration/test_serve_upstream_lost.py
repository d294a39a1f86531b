"""chronowatch serve when every upstream is lost (RFC 5905 §13: each reach register empty after 8
polls without an answer): it syncs from a real chronyd on loopback polled every second
(`--min-poll 0 --max-poll 0`), the chronyd is stopped by PID, and ntplib then sees the fallback —
leap 3 / stratum 16 (0 on the wire, as chronyd sends it) without a local stratum, the local clock at `--local-stratum` (leap 0, refid
LOCL) with one — not before those 8 polls, and the server says so once in its log. The first
reply after a change of state comes from worker threads that slept through it: they answer with
the new state. Also: the poll range from a flag, the environment or the YAML file, and a range
that makes no sense refused."""
import os
import struct
import subprocess
import time

import ntplib

from peers import Chronyd, chronowatch_binary, free_port, wait_for
from serve_support import Server

EVERY_SECOND = ("--min-poll", "0", "--max-poll", "0")
LOST = "upstreams lost: none of 127.0.0.1:{port} answered its last 8 polls"


def ask(port):
    try:
        return ntplib.NTPClient().request("127.0.0.1", port=port, version=4, timeout=0.5)
    except (ntplib.NTPException, OSError):
        return None


def answer(port):
    reply = ask(port)
    assert reply is not None, f"no answer from 127.0.0.1:{port}"
    return reply


def refid(reply):
    return struct.pack("!I", reply.ref_id)


def lose_the_upstream(*extra):
    """Syncs from chronyd, stops it by PID, waits for our log to say that every upstream is lost,
    then asks once. Returns (chronyd's stratum, our reply while synchronized, our first reply
    after the log line, seconds from the stop to the log line, chronyd's port, our log)."""
    with Chronyd(stratum=2) as upstream:
        upstream_stratum = answer(upstream.port).stratum
        with Server("--upstream", f"127.0.0.1:{upstream.port}", *EVERY_SECOND, *extra) as server:
            wait_for(lambda: (r := ask(server.port)) is not None and r.stratum == upstream_stratum + 1,
                     timeout=15, what="our server to sync from chronyd")
            synced = answer(server.port)
            upstream.process.stop()  # SIGTERM to chronyd's PID
            stopped = time.monotonic()
            wait_for(lambda: LOST.format(port=upstream.port) in server.process.log(), timeout=25,
                     interval=0.2, what="our server to log that its upstream is lost")
            elapsed = time.monotonic() - stopped
            # Whichever worker thread answers (each slept through the change), it serves the fallback.
            after = [answer(server.port) for _ in range(4)]
            return upstream_stratum, synced, after, elapsed, upstream.port, server.process.log()


def test_the_first_reply_after_syncing_is_synchronized():
    """No query wakes the workers before the sync: each slept in recvmmsg since the start, and
    none may answer with the unsynchronized state it fell asleep with."""
    with Chronyd(stratum=2) as upstream:
        with Server("--upstream", f"127.0.0.1:{upstream.port}", *EVERY_SECOND, threads=4) as server:
            wait_for(lambda: "synchronized to" in server.process.log(), timeout=15,
                     what="our server to sync from chronyd")
            replies = [ask(server.port) for _ in range(8)]  # 8 source ports over 4 workers
            assert all(r is not None and r.leap == 0 and r.stratum == 3 for r in replies), \
                [(r.leap, r.stratum) if r else None for r in replies]


def assert_synced_to_chronyd(reply, upstream_stratum):
    assert reply.leap == 0
    assert reply.stratum == upstream_stratum + 1
    assert refid(reply) == bytes([127, 0, 0, 1])
    assert abs(reply.offset) < 0.05, reply.offset


def test_losing_every_upstream_serves_leap_3_and_says_what_to_do():
    upstream_stratum, synced, after, elapsed, port, log = lose_the_upstream()
    assert_synced_to_chronyd(synced, upstream_stratum)
    assert all(r.leap == 3 and r.stratum == 0 for r in after), [(r.leap, r.stratum) for r in after]
    # Not at the first missed poll: the reach register needs 8 polls (1 s apart) to empty.
    assert 5.0 <= elapsed <= 20.0, elapsed
    assert log.count(LOST.format(port=port)) == 1, log
    assert "serving leap 3 (unsynchronized, stratum 16); give --local-stratum N" in log
    assert "Check that they run and that UDP to them is not blocked" in log


def test_losing_every_upstream_with_a_local_stratum_serves_the_local_clock():
    upstream_stratum, synced, after, elapsed, port, log = lose_the_upstream("--local-stratum", "7")
    assert_synced_to_chronyd(synced, upstream_stratum)
    assert all(r.leap == 0 and r.stratum == 7 and refid(r) == b"LOCL" for r in after), \
        [(r.leap, r.stratum, refid(r)) for r in after]
    assert abs(after[-1].offset) < 0.05, after[-1].offset  # the virtual clock keeps its last offset (≈ 0)
    assert 5.0 <= elapsed <= 20.0, elapsed
    assert log.count(LOST.format(port=port)) == 1, log
    assert "serving the local clock at stratum 7 (refid LOCL)" in log


def run_serve(*args, env=None, timeout=10):
    argv = [chronowatch_binary(), "serve", "--listen", f"127.0.0.1:{free_port()}", "--upstream", "none", *args]
    return subprocess.run(argv, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


def test_max_poll_below_min_poll_is_refused_from_flags_environment_and_config(tmp_path):
    flags = run_serve("--min-poll", "6", "--max-poll", "3")
    assert flags.returncode == 2, flags
    assert flags.stderr.strip().splitlines() == [
        "chronowatch serve: --max-poll 3 is below --min-poll 6: the longest interval (2^3 s) cannot be "
        "shorter than the shortest (2^6 s); raise --max-poll or lower --min-poll (flag --max-poll, "
        "environment CW_SERVE_MAX_POLL, YAML serve.max_poll)"], flags.stderr
    env = run_serve("--min-poll", "4", env={"CW_SERVE_MAX_POLL": "2"})
    assert env.returncode == 2 and "--max-poll 2 is below --min-poll 4" in env.stderr, env
    config = tmp_path / "serve.yaml"
    config.write_text("serve:\n  min_poll: 9\n  max_poll: 8\n")
    yaml = run_serve("--config", str(config))
    assert yaml.returncode == 2 and "--max-poll 8 is below --min-poll 9" in yaml.stderr, yaml
    out_of_range = run_serve("--max-poll", "18")
    assert out_of_range.returncode == 2 and "--max-poll" in out_of_range.stderr, out_of_range
    assert "Traceback" not in out_of_range.stderr and "terminate" not in out_of_range.stderr


def test_poll_range_from_the_config_file_is_used(tmp_path):
    """min_poll/max_poll 0 from YAML: the reference time (our last update) keeps up with the clock.
    With the defaults it would stop 6 s after the first sample (burst of 4, 2 s apart, then 64 s)."""
    config = tmp_path / "serve.yaml"
    config.write_text("serve:\n  min_poll: 0\n  max_poll: 0\n")
    with Chronyd(stratum=2) as upstream:
        with Server("--upstream", f"127.0.0.1:{upstream.port}", "--config", config) as server:
            wait_for(lambda: (r := ask(server.port)) is not None and r.leap == 0, timeout=15,
                     what="our server to sync from chronyd")
            first = answer(server.port).ref_timestamp
            wait_for(lambda: (r := ask(server.port)) is not None and r.ref_timestamp > first + 8,
                     timeout=15, interval=0.5, what="the reference time to advance past the burst with polls every second")
