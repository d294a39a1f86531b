"""chronyd 4.3 accepts the MACs of ntp/mac.h for every key type, and we accept chronyd's.

A real chronyd (-x, CAP_SYS_TIME dropped) serves on loopback with a keyfile holding one key of each
type. tool_ntp_mac (tests/tools/ntp_mac.cpp) signs a client request with our code, reading that
same keyfile through apps/common/key_loading.h; this test sends it, and the tool checks chronyd's reply.
chronyd drops requests whose MAC does not verify, so an answer proves it accepted ours. NTPv4
carries digests truncated to 20 bytes, NTPv3 the whole digest (RFC 7822 §7.5, chrony ntp_auth.c).
The full `chronowatch query` matrix lives in the query tests; this is the wire layer's own proof.
"""
import os
import pathlib
import socket
import subprocess

import pytest

from peers import REPO, Chronyd

TOOL = pathlib.Path(os.environ.get("CW_BUILD_DIR", REPO / "build")) / "tests" / "tool_ntp_mac"
TRANSMIT = "e91b2e8a4bc6a7ef"

# key id → (chrony keyfile spec, digest bytes in an NTPv4 MAC, digest bytes in an NTPv3 MAC)
KEYS = {
    1: ("MD5 HEX:" + "11" * 20, 16, 16),
    2: ("SHA1 HEX:" + "22" * 20, 20, 20),
    3: ("SHA256 HEX:" + "33" * 32, 20, 32),
    4: ("SHA384 ASCII:sha384-secret", 20, 48),
    5: ("SHA512 HEX:" + "55" * 64, 20, 64),
    6: ("AES128 HEX:" + "66" * 16, 16, 16),
    7: ("AES256 HEX:" + "77" * 32, 16, 16),
}


@pytest.fixture(scope="module")
def chronyd():
    if not TOOL.exists():
        pytest.fail(f"{TOOL} is not built (cmake --build build --target tool_ntp_mac)")
    with Chronyd(keys={kid: spec for kid, (spec, _, _) in KEYS.items()}) as server:
        yield server


def keyfile(server):
    return str(server.dir / "chrony.keys")


def sign(keys_path, key_id, version):
    done = subprocess.run([TOOL, "sign", keys_path, str(key_id), str(version), TRANSMIT],
                          capture_output=True, text=True, check=True)
    return bytes.fromhex(done.stdout.strip())


def check(keys_path, key_id, reply):
    done = subprocess.run([TOOL, "check", keys_path, str(key_id), reply.hex()],
                          capture_output=True, text=True)
    return done.stdout.strip()


def exchange(port, request, timeout=1.5):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(request, ("127.0.0.1", port))
        try:
            return sock.recvfrom(2048)[0]
        except socket.timeout:
            return None


@pytest.mark.parametrize("version", [4, 3])
@pytest.mark.parametrize("key_id", sorted(KEYS))
def test_chronyd_accepts_our_mac_and_we_accept_its_reply(chronyd, key_id, version):
    spec, v4_digest, v3_digest = KEYS[key_id]
    digest = v4_digest if version == 4 else v3_digest
    request = sign(keyfile(chronyd), key_id, version)
    assert len(request) == 48 + 4 + digest
    reply = exchange(chronyd.port, request)
    assert reply is not None, f"chronyd did not answer a {spec.split()[0]} request: it rejected our MAC"
    assert reply[0] & 7 == 4 and (reply[0] >> 3) & 7 == version
    assert reply[24:32].hex() == TRANSMIT, "origin timestamp is our transmit timestamp"
    assert len(reply) == 48 + 4 + digest, "chronyd signs its reply with the same key and truncation"
    assert int.from_bytes(reply[48:52], "big") == key_id
    assert check(keyfile(chronyd), key_id, reply) == "ok"


@pytest.mark.parametrize("key_id", sorted(KEYS))
def test_a_flipped_byte_in_chronyds_reply_fails_our_check(chronyd, key_id):
    reply = bytearray(exchange(chronyd.port, sign(keyfile(chronyd), key_id, 4)))
    for index in (1, 40, len(reply) - 1):   # stratum, transmit timestamp, last digest byte
        tampered = bytearray(reply)
        tampered[index] ^= 0x01
        assert check(keyfile(chronyd), key_id, bytes(tampered)).startswith("auth: the MAC does not match")


def test_chronyd_drops_a_request_with_a_flipped_mac_byte(chronyd):
    request = bytearray(sign(keyfile(chronyd), 3, 4))
    assert exchange(chronyd.port, bytes(request)) is not None
    request[-1] ^= 0x01
    assert exchange(chronyd.port, bytes(request)) is None


def test_chronyd_drops_a_request_signed_with_another_secret(chronyd, tmp_path):
    wrong = tmp_path / "wrong.keys"
    wrong.write_text("6 AES128 HEX:" + "99" * 16 + "\n")
    wrong.chmod(0o600)
    assert exchange(chronyd.port, sign(str(wrong), 6, 4)) is None


def test_our_reply_check_rejects_chronyds_reply_under_a_different_key(chronyd, tmp_path):
    reply = exchange(chronyd.port, sign(keyfile(chronyd), 2, 4))
    impostor = tmp_path / "impostor.keys"
    impostor.write_text("2 SHA1 HEX:" + "23" * 20 + "\n")
    impostor.chmod(0o600)
    assert check(str(impostor), 2, reply).startswith("auth: the MAC does not match")
    assert check(keyfile(chronyd), 1, reply).startswith("auth: the packet is signed with a different key")
