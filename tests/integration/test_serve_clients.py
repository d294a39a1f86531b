"""chronowatch serve answers real NTP clients on loopback: python3-ntplib, `chronyd -Q` and a
long-running chronyd client accept its replies, with offsets within 1 ms. Malformed and non-client
datagrams are ignored and counted. ntpsec's ntpdig cannot be pointed at a port other than 123, so
it is not used here (see docs/serve.md)."""
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

from peers import chronowatch_binary, free_port, wait_for
from serve_support import ChronydClient, Server, best_of, chronyd_measure, exchange, raw_request


@pytest.fixture
def local_server():
    with Server("--local-stratum", "3", "--upstream", "none") as server:
        yield server


def test_ntplib_accepts_replies_within_a_millisecond(local_server):
    reply = best_of(local_server)
    assert reply.leap == 0
    assert reply.stratum == 3
    assert reply.mode == 4
    assert reply.version == 4
    assert struct.pack("!I", reply.ref_id) == b"LOCL"
    assert abs(reply.offset) < 1e-3, reply.offset
    assert local_server.query(version=3).version == 3


def ntp_now():
    """This machine's real-time clock as a 64-bit NTP timestamp (the server reads the same clock)."""
    ns = time.time_ns() + 2208988800 * 10**9
    return (ns // 10**9) << 32 | ((ns % 10**9) << 32) // 10**9


def test_reply_fields_follow_rfc5905(local_server):
    request = raw_request(transmit=0x1122334455667788)
    t1 = ntp_now()
    reply = exchange(local_server.port, request)
    t4 = ntp_now()
    assert reply is not None and len(reply) == 48
    first, stratum, poll, precision, root_delay, root_disp, refid, ref, origin, receive, transmit = \
        struct.unpack("!BBbbII4sQQQQ", reply)
    assert first >> 6 == 0 and (first >> 3) & 7 == 4 and first & 7 == 4
    assert stratum == 3 and poll == 6 and -30 < precision < 0
    assert origin == 0x1122334455667788          # the client's transmit timestamp
    # T2 (the kernel's receive timestamp) and T3 (taken as the reply leaves) are this exchange's own
    # times, in order, on the clock the test reads too: T1 <= T2 < T3 <= T4, within a microsecond
    # of conversion. No bound in milliseconds: a late wakeup of the server widens T3 - T2 and the
    # round trip alike, and a stale or made-up T2 or T3 falls outside [T1, T4].
    micro = (1 << 32) // 10**6
    assert t1 - micro <= receive < transmit <= t4 + micro, (t1, receive, transmit, t4)


def test_ignores_malformed_and_non_client_datagrams(local_server):
    port = local_server.port
    assert exchange(port, b"\x23" + b"\0" * 20, timeout=0.2) is None                 # too short
    assert exchange(port, raw_request(version=0), timeout=0.2) is None               # version 0
    for mode in (1, 2, 4, 5, 6, 7):
        assert exchange(port, raw_request(mode=mode), timeout=0.2) is None, mode
    assert exchange(port, raw_request() + b"\0" * 7, timeout=0.2) is None            # bad trailer
    big = exchange(port, raw_request(extra=b"\x02\x04\x00\x1c" + b"\0" * 24))        # unknown EF
    assert big is not None and len(big) <= 48 + 28
    counters = local_server.counters()
    assert counters["outcomes"]["ignored_malformed"] >= 3
    assert counters["outcomes"]["ignored_not_client"] == 6
    assert counters["answered"] >= 1


def test_unsynchronized_without_upstream_or_local_stratum():
    with Server("--upstream", "none") as server:
        reply = server.query()
        assert reply.leap == 3
        assert reply.stratum == 0  # stratum 16 goes on the wire as 0, as chronyd sends it


def test_chronyd_measures_us_within_a_millisecond(local_server):
    offset, log = chronyd_measure(local_server.port)
    assert offset is not None, log
    assert abs(offset) < 1e-3, log


def test_chronyd_client_selects_us_and_accepts_every_reply(local_server):
    with ChronydClient(local_server.port, poll=0) as chronyd:
        wait_for(lambda: len(chronyd.measurements()) >= 6, timeout=30, what="six chronyd measurements")
        rows = chronyd.measurements()
        assert all(r["tests"] == "111 111 1111" for r in rows), rows
        assert all(r["stratum"] == 3 and r["leap"] == "N" for r in rows), rows
        assert min(abs(r["offset"]) for r in rows) < 1e-3, rows
        wait_for(lambda: "Selected source 127.0.0.1" in chronyd.process.log(), timeout=10,
                 what="chronyd to select our server")


def test_ipv6_loopback():
    port = free_port()
    with Server("--local-stratum", "4", "--upstream", "none", "--listen", f"[::1]:{port}") as server:
        reply = ntplib_query("::1", port)
        assert reply.stratum == 4 and reply.leap == 0
        assert server.query().stratum == 4   # still on 127.0.0.1 too


def ntplib_query(host, port):
    import ntplib
    return ntplib.NTPClient().request(host, port=port, version=4, timeout=1)


def test_counters_on_exit_as_json_and_clean_stop(local_server):
    local_server.query()
    assert local_server.stop() == 0
    final = local_server.reports()[-1]
    assert final["event"] == "exit"
    assert final["received"] >= 1 and final["answered"] >= 1
    assert final["serving"]["stratum"] == 3 and final["serving"]["refid"] == "LOCL"


def test_config_file_and_environment():
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("serve:\n  local_stratum: 7\n  upstream: [none]\n")
    try:
        with Server("--config", f.name) as server:
            assert server.query().stratum == 7
        env = dict(os.environ, CW_SERVE_LOCAL_STRATUM="9", CW_SERVE_UPSTREAM="none")
        with Server(env=env) as server:
            assert server.query().stratum == 9
        with Server("--config", f.name, "--local-stratum", "5") as server:   # flags win
            assert server.query().stratum == 5
    finally:
        os.unlink(f.name)


def run_serve(*args):
    return subprocess.run([chronowatch_binary(), "serve", *args], capture_output=True, text=True,
                          timeout=20)


def test_bad_configuration_is_one_clear_line_and_exit_2():
    result = run_serve("--listen", "nowhere", "--upstream", "none")
    assert result.returncode == 2
    assert "--listen 'nowhere'" in result.stderr
    assert run_serve("--allow", "10.0.0.0/99", "--upstream", "none", "--listen", "127.0.0.1:0").returncode == 2
    assert run_serve("--local-stratum", "99").returncode == 2


def test_port_taken_is_exit_3():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        result = run_serve("--listen", f"127.0.0.1:{port}", "--upstream", "none")
        assert result.returncode == 3
        assert f"127.0.0.1:{port}" in result.stderr


def test_binds_then_runs_as_user():
    with Server("--local-stratum", "3", "--upstream", "none", "--user", "nobody") as server:
        assert server.query().stratum == 3
        status = open(f"/proc/{server.process.pid}/status").read()
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        import pwd
        nobody = pwd.getpwnam("nobody").pw_uid
        assert uid_line.split()[1:] == [str(nobody)] * 4, uid_line


def test_unknown_user_is_exit_5():
    result = run_serve("--listen", "127.0.0.1:0", "--upstream", "none", "--user", "no-such-user-cw")
    assert result.returncode == 5
    assert "no-such-user-cw" in result.stderr
