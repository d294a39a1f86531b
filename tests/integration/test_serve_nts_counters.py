"""serve's NTS counters (RFC 8915), the same figures in the three places that show them: the
SIGUSR1 JSON report (`--json`), the NTS log line, and `/metrics` (checked by promtool). A real
NTS-KE and NTS exchange (our query --nts), a request whose cookie byte is flipped (NTSN, bad
cookie), one whose tag byte is flipped (NTSN, bad authenticator), junk on the NTS-KE port (a TLS
failure) and an address over its NTS-KE rate (closed unanswered) must each be counted once."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import urllib.request

from nts_support import FlipRelay, make_certificate
from peers import REPO, free_port, wait_for
from query_helpers import EXIT_OK, query_json
from serve_support import Server

TOOL = pathlib.Path(os.environ.get("CW_BUILD_DIR", REPO / "build")) / "tests" / "tool_apps_nts"
COOKIE, TAG = 98, -8  # request offsets, as in test_nts_tampering.py


def tampered_request(server, offset, cert):
    assert TOOL.exists(), f"{TOOL} is not built (ninja -C build tool_apps_nts)"
    with FlipRelay(server.port, "request", offset) as relay:
        done = subprocess.run([TOOL, "127.0.0.1", str(server.ke_port), str(cert), str(relay.port),
                               "1"], capture_output=True, text=True, timeout=30)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[1].get("reason") == "nts_nak", done.stdout + done.stderr


def metric(text, name, labels=""):
    for line in text.splitlines():
        if line.startswith(f"{name}{labels} "):
            return float(line.split()[-1])
    raise AssertionError(f"no {name}{labels} in /metrics:\n{text}")


def test_nts_counters_in_json_log_and_metrics():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-counters-"))
    shutil.chown(directory, "_chrony", "_chrony")
    cert, key = make_certificate(directory)
    ke_port = free_port(socket.SOCK_STREAM)
    metrics = f"127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    try:
        with Server("--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key",
                    key, "--nts-ke-listen", f"127.0.0.1:{ke_port}", "--metrics", metrics,
                    "--nts-ke-rate-burst", 4, "--nts-ke-rate-interval", 600) as server:
            server.ke_port = ke_port
            wait_for(lambda: "NTS-KE on" in server.process.log(), what="our NTS-KE")
            done, out = query_json("--nts", "--nts-ca", cert, "--nts-ke-port", ke_port,
                                   "--samples", 1, "127.0.0.1", "--port", server.port)
            assert done.returncode == EXIT_OK and out["servers"][0]["auth"] == "nts", out
            tampered_request(server, COOKIE, cert)
            tampered_request(server, TAG, cert)
            with socket.create_connection(("127.0.0.1", ke_port)) as junk:  # the 4th of 4
                junk.sendall(b"\x42" * 64)
                try:
                    junk.recv(1)  # the server closes it: a TLS failure
                except ConnectionResetError:
                    pass
            with socket.create_connection(("127.0.0.1", ke_port)) as over:  # over the burst
                assert over.recv(1) == b""

            def settled():
                n = server.counters()["nts"]["ke"]
                return n["failed"]["tls"] == 1 and n["failed"]["rate_limited"] == 1
            wait_for(settled, timeout=10, what="the junk and the rate-limited connection counted")
            nts = server.counters()["nts"]
            assert nts["ke"]["accepted"] == 4 and nts["ke"]["completed"] == 3, nts
            assert nts["ke"]["failed"] == {"refused": 0, "tls": 1, "timed_out": 0,
                                           "too_large": 0, "rate_limited": 1}, nts
            assert nts["ntsn"] == {"bad_cookie": 1, "bad_authenticator": 1}, nts
            assert nts["cookies_issued"]["ke"] == 3 * 8, nts
            assert nts["answered"] >= 1 and nts["cookies_issued"]["ntp"] >= nts["answered"], nts

            line = [l for l in server.process.log().splitlines() if "NTS-KE:" in l][-1]
            assert "3 completed" in line and "1 TLS failures" in line, line
            assert "1 rate-limited" in line and "NTSN 1 bad cookie, 1 bad authenticator" in line
            assert f"{nts['answered']} answered" in line, line

            with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as response:
                text = response.read().decode()
            assert metric(text, "chronowatch_serve_nts_ke_completed_total") == 3
            assert metric(text, "chronowatch_serve_nts_ke_accepted_total") == 4
            for reason, n in (("tls", 1), ("rate_limited", 1), ("refused", 0)):
                assert metric(text, "chronowatch_serve_nts_ke_failed_total",
                              f'{{reason="{reason}"}}') == n, reason
            for reason in ("bad_cookie", "bad_authenticator"):
                assert metric(text, "chronowatch_serve_nts_naks_total",
                              f'{{reason="{reason}"}}') == 1, reason
            assert metric(text, "chronowatch_serve_nts_cookies_issued_total", '{via="ke"}') == 24
            assert metric(text, "chronowatch_serve_responses_total",
                          '{kind="answered_nts"}') == nts["answered"]
            checked = subprocess.run(["promtool", "check", "metrics"], input=text,
                                     capture_output=True, text=True, timeout=30)
            assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        shutil.rmtree(directory, ignore_errors=True)
