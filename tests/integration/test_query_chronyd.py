"""`chronowatch query` against real chronyd servers on loopback (chronyd -x, CAP_SYS_TIME
dropped): honest and shifted by libfaketime, compared with the truth and with python3-ntplib;
the JSON shape; IPv6; falsetickers among three servers and no majority between two."""
import socket

import pytest

from peers import Chronyd, free_port, wait_for
from query_helpers import (EXIT_NO_MAJORITY, EXIT_OK, EXIT_UNSYNC, ntplib_offset, query,
                           query_json)

FAST = ("--samples", 4, "--interval", 0.05, "--timeout", 2)


@pytest.fixture(scope="module")
def honest():
    with Chronyd() as server:
        yield server


@pytest.fixture(scope="module")
def shifted():
    with Chronyd(faketime="+2.5s") as server:
        yield server


@pytest.fixture(scope="module")
def far():
    with Chronyd(faketime="+5s") as server:
        yield server


def only_server(report):
    assert len(report["servers"]) == 1
    return report["servers"][0]


def test_honest_chronyd_offset_is_zero_and_matches_ntplib(honest):
    done, report = query_json(f"127.0.0.1:{honest.port}", *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    server = only_server(report)
    assert abs(server["offset"]) < 0.001
    assert abs(server["offset"] - ntplib_offset(honest.port)) < 0.001
    assert abs(report["offset"] - server["offset"]) < 1e-6  # one server: combined = its own
    assert server["stratum"] == 2 and server["leap"] == 0
    assert 0 < server["delay"] < 0.01
    assert server["samples"] == 4


def test_faketime_chronyd_is_two_and_a_half_seconds_ahead(shifted):
    done, report = query_json(f"127.0.0.1:{shifted.port}", *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    server = only_server(report)
    assert abs(server["offset"] - 2.5) < 0.001, server
    assert abs(server["offset"] - ntplib_offset(shifted.port)) < 0.001
    assert abs(report["offset"] - 2.5) < 0.001


def test_seed_spelling_server_and_port(shifted):
    done, report = query_json("--server", "127.0.0.1", "--port", shifted.port, *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    assert only_server(report)["port"] == shifted.port
    assert abs(report["offset"] - 2.5) < 0.001


def test_json_has_every_field(honest):
    done, report = query_json(f"127.0.0.1:{honest.port}", "--samples", 1)
    assert done.returncode == EXIT_OK, done.stderr
    assert set(report) >= {"servers", "offset"}
    server = only_server(report)
    for key in ("address", "port", "offset", "delay", "jitter", "stratum", "refid", "leap",
                "root_delay", "root_dispersion", "authenticated", "falseticker", "error"):
        assert key in server, key
    assert server["address"] == "127.0.0.1" and server["port"] == honest.port
    assert server["authenticated"] is False and server["falseticker"] is False
    assert server["error"] is None
    for key in ("offset", "delay", "jitter", "root_delay", "root_dispersion"):
        assert isinstance(server[key], float), key


def test_human_table_names_every_column(shifted):
    done = query(f"127.0.0.1:{shifted.port}", *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    header = done.stdout.splitlines()[0]
    for column in ("offset", "delay", "jitter", "st", "refid", "leap", "rootdist", "auth", "verdict"):
        assert column in header
    assert f"127.0.0.1:{shifted.port}" in done.stdout
    assert "combined offset: +2.50" in done.stdout
    assert done.stderr == ""


def test_ipv6_literal():
    with Chronyd(extra=["bindaddress ::1", "allow ::1"]) as server:
        done, report = query_json(f"[::1]:{server.port}", *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    assert only_server(report)["address"] == "::1"
    assert abs(report["offset"]) < 0.001


def test_shifted_server_among_three_is_a_falseticker(honest, far):
    with Chronyd() as second:
        done, report = query_json(f"127.0.0.1:{honest.port}", f"127.0.0.1:{second.port}",
                                  f"127.0.0.1:{far.port}", *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    by_port = {s["port"]: s for s in report["servers"]}
    assert by_port[far.port]["falseticker"] is True
    assert abs(by_port[far.port]["offset"] - 5.0) < 0.001
    assert by_port[honest.port]["falseticker"] is False
    assert by_port[second.port]["falseticker"] is False
    assert abs(report["offset"]) < 0.001  # the falseticker is not in the combined offset


def test_two_servers_that_disagree_have_no_majority(honest, far):
    done, report = query_json(f"127.0.0.1:{honest.port}", f"127.0.0.1:{far.port}", *FAST)
    assert done.returncode == EXIT_NO_MAJORITY, done.stderr
    assert report["offset"] is None
    assert all(s["falseticker"] for s in report["servers"])
    assert len(done.stderr.strip().splitlines()) == 1 and "majority" in done.stderr


def test_adjust_dry_run_slews_below_the_threshold(shifted):
    done, report = query_json(f"127.0.0.1:{shifted.port}", *FAST, "--adjust", "--dry-run")
    assert done.returncode == EXIT_OK, done.stderr
    assert report["adjustment"]["action"] == "slew"
    assert report["adjustment"]["applied"] is False
    assert abs(report["adjustment"]["offset"] - 2.5) < 0.001


def test_adjust_dry_run_steps_above_the_threshold(shifted):
    done = query(f"127.0.0.1:{shifted.port}", *FAST, "--adjust", "--dry-run",
                 "--step-threshold", 1)
    assert done.returncode == EXIT_OK, done.stderr
    assert "would step the clock by +2.50" in done.stdout


def answers_at_all(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.sendto(bytes([0x23]) + bytes(39) + b"\x01" * 8, ("127.0.0.1", port))
        try:
            return len(s.recv(100)) >= 48
        except OSError:
            return False


def test_unsynchronized_chronyd_is_reported_as_such():
    # Without `local stratum` chronyd serves but is not synchronized: LI = 3, stratum 0, refid 0.
    port = free_port()
    server = Chronyd(serve=False, extra=[f"port {port}", "bindaddress 127.0.0.1", "allow 127.0.0.1"])
    try:
        wait_for(lambda: answers_at_all(port), timeout=20, what="chronyd to answer")
        done, report = query_json(f"127.0.0.1:{port}", "--samples", 1)
    finally:
        server.stop()
    assert done.returncode == EXIT_UNSYNC, done.stderr
    assert "not synchronized" in done.stderr
    assert report["servers"][0]["status"] == "unsynchronized"
    assert report["servers"][0]["leap"] == 3
