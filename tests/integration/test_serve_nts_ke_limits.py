"""Our NTS-KE server under abuse: a silent or partial client is cut at the 2 s deadline, 200 idle
connections hit the session cap (128) and not memory, 20 KiB of junk is refused, and through all
of it a real NTS-KE (our query --nts) still succeeds once the abusers are gone. An address over its
rate limit is closed before any TLS work while another address is still served. Its TLS 1.3 suite
is TLS_AES_128_GCM_SHA256 by its own order, the others still served to clients that ask for them."""
import pathlib
import shutil
import socket
import subprocess
import ssl
import tempfile
import time

import pytest

from nts_support import make_certificate, tcp_accepts
from peers import free_port, wait_for
from query_helpers import EXIT_OK, query_json
from serve_support import Server


@pytest.fixture(scope="module")
def certificate():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert-"))
    shutil.chown(directory, "_chrony", "_chrony")
    yield make_certificate(directory)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def server(certificate):
    cert, key = certificate
    ke_port = free_port(socket.SOCK_STREAM)
    # No per-address limit here: these tests open hundreds of connections from 127.0.0.1.
    with Server("--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key", key,
                "--nts-ke-listen", f"127.0.0.1:{ke_port}", "--nts-ke-rate-interval", 0) as s:
        s.ke_port = ke_port
        wait_for(lambda: tcp_accepts(ke_port), what="our NTS-KE listener")
        yield s


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def ke_counters(server):
    server.counters()  # SIGUSR1 also logs the NTS-KE counters
    lines = [l for l in server.process.log().splitlines() if "NTS-KE:" in l]
    return lines[-1]


def tls_failures(server):
    return int(ke_counters(server).split(" TLS failures")[0].split()[-1])


def closed_by_peer(sock, timeout):
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def works(server, cert):
    done, out = query_json("--nts", "--nts-ca", cert, "--nts-ke-port", server.ke_port,
                           "--samples", 1, "127.0.0.1")
    return done.returncode == EXIT_OK and out["servers"][0]["auth"] == "nts"


def test_a_silent_or_partial_client_is_cut_at_the_deadline(server):
    silent = socket.create_connection(("127.0.0.1", server.ke_port))
    partial = socket.create_connection(("127.0.0.1", server.ke_port))
    partial.sendall(bytes.fromhex("160301020001"))  # the start of a TLS ClientHello, then nothing
    started = time.monotonic()
    assert closed_by_peer(silent, 5) and closed_by_peer(partial, 5)
    assert time.monotonic() - started < 3.5  # 2 s deadline plus scheduling slack
    silent.close()
    partial.close()
    wait_for(lambda: " 2 timed out" in ke_counters(server), timeout=5, what="two time-outs")


def test_two_hundred_idle_connections_hit_the_cap_not_memory(server, certificate):
    assert works(server, certificate[0])  # warm: TLS and the workers have allocated
    before = rss_kib(server.process.pid)
    idle = [socket.create_connection(("127.0.0.1", server.ke_port)) for _ in range(200)]
    try:
        wait_for(lambda: "session cap reached 1 time" in ke_counters(server), timeout=5,
                 what="the session cap")
        during = rss_kib(server.process.pid)
        assert during - before < 16 * 1024, (before, during)  # 128 sessions, not 200, and small
    finally:
        for s in idle:
            s.close()
    # The 128 are cut at their deadline, the other 72 then get theirs; afterwards KE works again.
    wait_for(lambda: works(server, certificate[0]), timeout=15, what="NTS-KE to work again")
    assert rss_kib(server.process.pid) - before < 16 * 1024


def test_twenty_kib_of_junk_is_refused(server, certificate):
    failures = tls_failures(server)
    junk = socket.create_connection(("127.0.0.1", server.ke_port))
    try:
        junk.sendall(b"\x42" * 20 * 1024)
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert closed_by_peer(junk, 3)
    junk.close()
    # At least one more: the previous test's 200 idle connections may still be closing (each a
    # counted TLS failure) when the baseline is read.
    wait_for(lambda: tls_failures(server) >= failures + 1, timeout=5,
             what="the junk to count as a TLS failure")
    assert works(server, certificate[0])


# An NTS-KE request (RFC 8915 §4): next protocol NTPv4, AEAD 15, end of message (all critical).
KE_REQUEST = bytes.fromhex("80010002" "0000" "80040002" "000f" "80000000")


def key_exchange_from(source, port, cert):
    """A whole NTS-KE over TLS 1.3 from source address `source`: the response's bytes."""
    context = ssl.create_default_context(cafile=str(cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.set_alpn_protocols(["ntske/1"])
    with socket.create_connection(("127.0.0.1", port), timeout=5,
                                  source_address=(source, 0)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "ntske/1"
            tls.sendall(KE_REQUEST)
            response = b""
            while chunk := tls.recv(4096):
                response += chunk
            return response


def new_cookie_records(response):
    count, at = 0, 0
    while at + 4 <= len(response):
        kind, length = int.from_bytes(response[at:at + 2], "big") & 0x7fff, \
            int.from_bytes(response[at + 2:at + 4], "big")
        count += kind == 5
        at += 4 + length
    return count


def test_an_address_over_its_rate_is_closed_before_tls_and_another_is_served(certificate):
    cert, key = certificate
    ke_port = free_port(socket.SOCK_STREAM)

    def listening():  # probed from 127.0.0.3, so that 127.0.0.1's tokens stay untouched
        try:
            socket.create_connection(("127.0.0.1", ke_port), timeout=0.5,
                                     source_address=("127.0.0.3", 0)).close()
            return True
        except OSError:
            return False

    with Server("--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key", key,
                "--nts-ke-listen", f"127.0.0.1:{ke_port}", "--nts-ke-rate-interval", 60,
                "--nts-ke-rate-burst", 3) as server:
        server.ke_port = ke_port
        wait_for(listening, what="our NTS-KE listener")
        for _ in range(3):  # the burst: real NTS-KEs from 127.0.0.1
            assert works(server, cert)
        over = socket.create_connection(("127.0.0.1", ke_port))
        started = time.monotonic()
        assert closed_by_peer(over, 5)
        assert time.monotonic() - started < 1.0  # closed at accept, not cut at the 2 s deadline
        over.close()
        assert not works(server, cert)  # our own client is refused too
        # Another address still gets keys and eight cookies.
        assert new_cookie_records(key_exchange_from("127.0.0.2", ke_port, cert)) == 8
        counters = ke_counters(server)
        assert " 2 rate-limited" in counters, counters
        assert int(counters.split(" completed")[0].split()[-1]) == 4, counters


def negotiated_suite(ke_port, cert, *offer):
    """The TLS 1.3 suite openssl s_client (ALPN ntske/1) gets from our NTS-KE, offering `offer`."""
    argv = ["openssl", "s_client", "-connect", f"127.0.0.1:{ke_port}", "-alpn", "ntske/1",
            "-CAfile", str(cert), "-verify_return_error", "-tls1_3"]
    if offer:
        argv += ["-ciphersuites", ":".join(offer)]
    out = subprocess.run(argv, input="", capture_output=True, text=True, timeout=20)
    assert "Verify return code: 0 (ok)" in out.stdout, out.stdout + out.stderr
    line = next((l for l in out.stdout.splitlines() if "Cipher is" in l), "")
    return line.split("Cipher is")[-1].strip()


def test_ke_prefers_aes128_gcm_sha256_and_still_takes_the_others(server, certificate):
    # Our order wins over the client's (OpenSSL offers TLS_AES_256_GCM_SHA384 first): SHA-256 for
    # the key schedule; a client offering only another TLS 1.3 suite is still served with it.
    cert, _ = certificate
    assert negotiated_suite(server.ke_port, cert) == "TLS_AES_128_GCM_SHA256"
    assert negotiated_suite(server.ke_port, cert, "TLS_AES_256_GCM_SHA384",
                            "TLS_AES_128_GCM_SHA256") == "TLS_AES_128_GCM_SHA256"
    assert negotiated_suite(server.ke_port, cert, "TLS_AES_256_GCM_SHA384") == \
        "TLS_AES_256_GCM_SHA384"
    assert negotiated_suite(server.ke_port, cert, "TLS_CHACHA20_POLY1305_SHA256") == \
        "TLS_CHACHA20_POLY1305_SHA256"
