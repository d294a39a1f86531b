"""`chronowatch query` against servers that misbehave: nothing answers, the port is closed, and
a small fake UDP server (written here) that sends short replies, the wrong mode, the wrong origin,
zero timestamps, Kiss-o'-Death RATE/DENY/RSTR and unsynchronized replies. Plus usage errors."""
import json
import socket
import struct
import time

import pytest

from peers import free_port
from query_helpers import (EXIT_KOD, EXIT_NO_ANSWER, EXIT_OK, EXIT_UNSYNC, EXIT_USAGE,
                           FakeNtpServer, query, query_json, server_reply)


def one_line(stderr):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_silent_port_times_out_within_timeout_plus_a_second():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        start = time.monotonic()
        done = query(f"127.0.0.1:{port}", "--timeout", 1.5, "--samples", 4)
        elapsed = time.monotonic() - start
    assert done.returncode == EXIT_NO_ANSWER
    assert 1.5 <= elapsed < 2.5, elapsed
    assert "no valid answer within 1.5 s" in one_line(done.stderr)


def test_closed_port_is_no_answer_at_once():
    start = time.monotonic()
    done = query(f"127.0.0.1:{free_port()}", "--timeout", 5)
    assert done.returncode == EXIT_NO_ANSWER
    assert time.monotonic() - start < 2.5
    assert "refused" in one_line(done.stderr)


@pytest.mark.parametrize("name, answer, reason", [
    ("short", lambda r: server_reply(r)[:40], "malformed"),
    ("empty", lambda r: b"", "malformed"),
    ("client mode", lambda r: server_reply(r, mode=3), "mode 3"),
    ("broadcast mode", lambda r: server_reply(r, mode=5), "mode 5"),
    ("wrong origin", lambda r: server_reply(r, origin=0x1234), "origin"),
    ("echoes its own request", lambda r: r, "mode 3"),
])
# The fake server stamps T2 and T3 when Python gets round to answering, so on a loaded machine its
# offsets are only good to the scheduling delay: tolerances here are 50 ms (accuracy itself is
# tested against chronyd in test_query_chronyd.py).


def test_invalid_replies_are_dropped_until_the_timeout(name, answer, reason):
    with FakeNtpServer(answer) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--timeout", 1, "--samples", 2)
    assert done.returncode == EXIT_NO_ANSWER, (name, done.stderr)
    assert reason in one_line(done.stderr), (name, done.stderr)
    assert report["offset"] is None
    assert report["servers"][0]["error"] and reason in report["servers"][0]["error"]


def test_zero_transmit_timestamp_is_rejected():
    with FakeNtpServer(lambda r: server_reply(r, transmit=0)) as fake:
        done = query(f"127.0.0.1:{fake.port}", "--timeout", 1, "--samples", 1)
    assert done.returncode == EXIT_NO_ANSWER
    assert "zero" in one_line(done.stderr)


def test_forgery_before_the_real_reply_does_not_win():
    # A stray datagram with the wrong origin arrives first; the genuine reply right after it.
    answer = lambda r: [server_reply(r, origin=42, shift=100.0), server_reply(r, shift=0.25)]
    with FakeNtpServer(answer) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--samples", 1)
    assert done.returncode == EXIT_OK, done.stderr
    assert abs(report["offset"] - 0.25) < 0.05


def kod(code):
    return lambda r: server_reply(r, stratum=0, refid=code)


@pytest.mark.parametrize("code", [b"RATE", b"DENY", b"RSTR"])
def test_kiss_of_death_is_reported_by_code_and_stops_the_asking(code):
    with FakeNtpServer(kod(code)) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--samples", 4, "--interval", 0.05)
        requests = len(fake.requests)
    assert done.returncode == EXIT_KOD, done.stderr
    assert code.decode() in one_line(done.stderr)
    assert report["servers"][0]["kiss_code"] == code.decode()
    assert requests == 1  # RATE: back off, DENY/RSTR: stop — a one-shot query asks no more


def test_rate_after_good_samples_keeps_them():
    state = {"n": 0}

    def answer(request):
        state["n"] += 1
        return server_reply(request, shift=0.5) if state["n"] <= 2 else kod(b"RATE")(request)

    with FakeNtpServer(answer) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--samples", 4, "--interval", 0.05)
        requests = len(fake.requests)
    assert done.returncode == EXIT_OK, done.stderr
    assert requests == 3
    assert report["servers"][0]["samples"] == 2
    assert abs(report["offset"] - 0.5) < 0.05


def test_unsynchronized_server_is_reported_not_used():
    with FakeNtpServer(lambda r: server_reply(r, li=3, stratum=16)) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--samples", 1)
    assert done.returncode == EXIT_UNSYNC
    assert "not synchronized" in one_line(done.stderr)
    assert report["offset"] is None
    assert report["servers"][0]["leap"] == 3


def test_offset_from_the_fake_server_is_measured():
    with FakeNtpServer(lambda r: server_reply(r, shift=-3.25)) as fake:
        done, report = query_json(f"127.0.0.1:{fake.port}", "--samples", 2, "--interval", 0)
    assert done.returncode == EXIT_OK, done.stderr
    assert abs(report["offset"] + 3.25) < 0.05


def test_request_is_mode_3_version_4_and_leaks_no_clock():
    with FakeNtpServer(lambda r: None) as fake:
        query(f"127.0.0.1:{fake.port}", "--samples", 1, "--timeout", 0.3)
        query(f"127.0.0.1:{fake.port}", "--samples", 1, "--timeout", 0.3)
        first, second = fake.requests[0], fake.requests[1]
    assert len(first) == 48
    assert first[0] & 0x07 == 3 and (first[0] >> 3) & 0x07 == 4
    assert first[1:40] == bytes(39)  # no reference/origin/receive: nothing about our clock
    # The transmit timestamp is random: not within an hour of our clock (p ≈ 2e-6 to fail by
    # chance), and different on every request.
    seconds = struct.unpack(">I", first[40:44])[0]
    now = (int(time.time()) + 2208988800) % (1 << 32)
    distance = min((seconds - now) % (1 << 32), (now - seconds) % (1 << 32))
    assert distance > 3600
    assert first[40:48] != second[40:48]


@pytest.mark.parametrize("args, words", [
    (["127.0.0.1:0"], "port"),
    (["127.0.0.1:70000"], "port"),
    (["[::1"], "["),
    (["127.0.0.1", "--dry-run"], "--adjust"),
    (["127.0.0.1", "--samples", "0"], "samples"),
    (["127.0.0.1", "--bogus"], "bogus"),
])
def test_usage_errors_exit_2_with_one_line(args, words):
    done = query(*args)
    assert done.returncode == EXIT_USAGE, done
    assert words in done.stderr


def test_options_from_the_config_file(tmp_path):
    config = tmp_path / "chronowatch.yaml"
    config.write_text("query:\n  samples: 2\n  interval: 0\n  json: true\n")
    with FakeNtpServer(lambda r: server_reply(r, shift=1.5)) as fake:
        done = query(f"127.0.0.1:{fake.port}", "--config", config)
        requests = len(fake.requests)
    assert done.returncode == EXIT_OK, done.stderr
    report = json.loads(done.stdout)  # json: true came from the file
    assert report["servers"][0]["samples"] == 2 and requests == 2
    assert abs(report["offset"] - 1.5) < 0.05
