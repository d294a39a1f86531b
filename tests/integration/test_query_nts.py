"""`chronowatch query --nts` against a real chronyd 4.3 NTS server on loopback (RFC 8915).

chronyd serves NTS-KE with a certificate this test makes (IP SAN 127.0.0.1) and NTP on a port that
is not 123, so its KE response carries a port record: a query that reaches it without --port used
the negotiated port. tool_apps_nts (tests/tools/apps_nts.cpp) sends one request per placeholder
count to show that chronyd returns k + 1 cookies in a reply as long as the request."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile

import pytest

from nts_support import ChronydNts, make_certificate
from peers import REPO, free_port
from query_helpers import EXIT_AUTH, EXIT_OK, EXIT_USAGE, query, query_json

TOOL = pathlib.Path(os.environ.get("CW_BUILD_DIR", REPO / "build")) / "tests" / "tool_apps_nts"


@pytest.fixture(scope="module")
def certificate():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert-"))
    shutil.chown(directory, "_chrony", "_chrony")
    yield make_certificate(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def chronyd_nts(certificate):
    cert, key = certificate
    with ChronydNts(cert, key) as server:
        yield server


def nts_query(server, cert, *args):
    return query_json("--nts", "--nts-ca", cert, "--nts-ke-port", server.ke_port, "--samples", 3,
                      "--interval", 0.1, *args, "127.0.0.1")


def test_query_authenticates_with_nts_on_the_negotiated_port(chronyd_nts, certificate):
    done, out = nts_query(chronyd_nts, certificate[0])
    assert done.returncode == EXIT_OK, done.stderr
    server = out["servers"][0]
    assert server["status"] == "ok"
    assert server["auth"] == "nts" and server["authenticated"] is True
    assert server["aead"] == "AEAD_AES_SIV_CMAC_256"
    assert server["cookies"] == 8  # each reply refilled the jar
    assert server["port"] == chronyd_nts.port != 123  # from chronyd's port record, not --port
    assert server["samples"] == 3
    assert abs(server["offset"]) < 0.001


def test_every_placeholder_count_gets_that_many_cookies_more(chronyd_nts, certificate):
    assert TOOL.exists(), f"{TOOL} is not built (ninja -C build tool_apps_nts)"
    done = subprocess.run([TOOL, "127.0.0.1", str(chronyd_nts.ke_port), str(certificate[0])],
                          capture_output=True, text=True, timeout=60)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[0]["ke_cookies"] == 8 and lines[0]["ntp_port"] == chronyd_nts.port
    for k, line in enumerate(lines[1:]):
        assert line["placeholders"] == k
        assert line["cookies"] == k + 1, line
        assert line["reply_size"] == line["request_size"], line  # chronyd pads to the request
        assert abs(line["offset"]) < 0.001


def test_an_untrusted_certificate_is_an_authentication_failure(chronyd_nts, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.chown(other, "_chrony", "_chrony")
    wrong_ca, _ = make_certificate(other)
    done = query("--nts", "--nts-ca", wrong_ca, "--nts-ke-port", chronyd_nts.ke_port, "--samples",
                 1, "127.0.0.1")
    assert done.returncode == EXIT_AUTH, done.stderr
    assert "certificate verif" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_certificate_without_our_address_in_its_san_is_refused():
    # Trusted (it is its own CA here), but issued for another name: the SAN check fails.
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert2-"))
    try:
        shutil.chown(directory, "_chrony", "_chrony")
        cert = directory / "other.crt"
        key = directory / "other.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                        "/CN=elsewhere", "-keyout", key, "-out", cert, "-addext",
                        "subjectAltName=DNS:elsewhere.example"], check=True, capture_output=True)
        for path in (cert, key):
            shutil.chown(path, "_chrony", "_chrony")
        with ChronydNts(cert, key) as other:
            done = query("--nts", "--nts-ca", cert, "--nts-ke-port", other.ke_port, "--samples", 1,
                         "127.0.0.1")
            assert done.returncode == EXIT_AUTH, done.stderr
            assert "IP address mismatch" in done.stderr, done.stderr
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def test_no_ke_server_is_an_authentication_failure_naming_the_port():
    port = free_port(socket.SOCK_STREAM)
    done = query("--nts", "--nts-ke-port", port, "--samples", 1, "--timeout", 1, "127.0.0.1")
    assert done.returncode == EXIT_AUTH, done.stderr
    assert f"NTS-KE with 127.0.0.1:{port} failed" in done.stderr


def test_nts_and_a_symmetric_key_are_a_usage_error():
    assert query("--nts", "--auth", "127.0.0.1").returncode == EXIT_USAGE
    assert query("--nts-ke-port", 4461, "127.0.0.1").returncode == EXIT_USAGE


def test_query_rekeys_by_itself_after_ntsn(certificate):
    """chronyd rotating its cookie keys every second (`ntsrotate 1`, three keys kept) refuses our
    oldest cookies with NTSN within the query: it makes a new NTS-KE and goes on (RFC 8915 §5.7),
    so every sample asked for is measured, each request after a re-key on a new cookie."""
    cert, key = certificate
    with ChronydNts(cert, key, extra=["ntsrotate 1"]) as rotating:
        done, out = query_json("--nts", "--nts-ca", cert, "--nts-ke-port", rotating.ke_port,
                               "--samples", 5, "--interval", 1.5, "--log-level", "debug",
                               "127.0.0.1")
    assert done.returncode == EXIT_OK, done.stderr
    server = out["servers"][0]
    assert server["status"] == "ok" and server["samples"] == 5, server
    assert server["authenticated"] is True and server["cookies"] == 8
    assert done.stderr.count("NTS-KE done") >= 2, done.stderr  # the first and at least one more
