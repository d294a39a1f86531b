"""Symmetric-key authentication of chronowatch serve against chronyd (RFC 5905 §7.3, RFC 8573):
chronyd authenticates our replies for every key type both support; a wrong key is rejected by
both sides (we answer with a crypto-NAK and count it; chronyd takes no time from it);
--require-auth gives no time to unauthenticated clients; seed 001's NTP_SECRET_KEY is a true
HMAC-SHA256 (checked with Python's hmac)."""
import hashlib
import hmac
import os
import struct
import subprocess
import tempfile

import pytest

from peers import chronowatch_binary
from serve_support import Server, chronyd_measure, exchange

KEYS = {
    "MD5": "HEX:00112233445566778899aabbccddeeff",
    "SHA1": "HEX:00112233445566778899aabbccddeeff00112233",
    "SHA256": "HEX:" + "ab" * 32,
    "SHA384": "HEX:" + "cd" * 48,
    "SHA512": "HEX:" + "ef" * 64,
    "AES128": "HEX:000102030405060708090a0b0c0d0e0f",
    "AES256": "HEX:" + "0f" * 32,
}
IDS = {name: i + 10 for i, name in enumerate(KEYS)}


@pytest.fixture(scope="module")
def keyfile():
    with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as f:
        for name, secret in KEYS.items():
            f.write(f"{IDS[name]} {name} {secret}\n")
    os.chmod(f.name, 0o600)
    yield f.name
    os.unlink(f.name)


@pytest.fixture(scope="module")
def server(keyfile):
    with Server("--local-stratum", "2", "--upstream", "none", "--keyfile", keyfile) as s:
        yield s


@pytest.mark.parametrize("key_type", list(KEYS))
def test_chronyd_authenticates_our_replies(server, key_type):
    kid = IDS[key_type]
    offset, log = chronyd_measure(server.port, f"key {kid}", keys={kid: f"{key_type} {KEYS[key_type]}"})
    assert offset is not None, log
    assert abs(offset) < 1e-3, log


def test_wrong_key_is_rejected_by_both_sides(server):
    before = server.counters()["outcomes"]
    kid = IDS["SHA1"]
    offset, log = chronyd_measure(server.port, f"key {kid}", keys={kid: "SHA1 HEX:" + "99" * 20}, timeout=6)
    assert offset is None, log            # chronyd took no time from our crypto-NAKs
    after = server.counters()["outcomes"]
    assert after["crypto_nak"] > before["crypto_nak"]        # we refused its MAC
    assert after["answered_authenticated"] == before["answered_authenticated"]


def test_unknown_key_id_gets_crypto_nak(server):
    before = server.counters()["outcomes"]["crypto_nak"]
    offset, log = chronyd_measure(server.port, "key 99", keys={99: "AES128 " + KEYS["AES128"]}, timeout=4)
    assert offset is None, log
    assert server.counters()["outcomes"]["crypto_nak"] > before


def test_require_auth_gives_no_time_without_a_mac(keyfile):
    with Server("--local-stratum", "2", "--upstream", "none", "--keyfile", keyfile, "--require-auth") as s:
        with pytest.raises(Exception):
            s.query(timeout=0.5)
        kid = IDS["AES128"]
        offset, log = chronyd_measure(s.port, f"key {kid}", keys={kid: "AES128 " + KEYS["AES128"]})
        assert offset is not None, log
        counters = s.counters()["outcomes"]
        assert counters["ignored_unauthenticated"] >= 1
        assert counters["answered_authenticated"] >= 1


def seed_request(secret, transmit=0x0102030405060708):
    packet = struct.pack("!BBbbII4sQQQQ", 0x23, 0, 6, 0, 0, 0, b"\0" * 4, 0, 0, 0, transmit)
    return packet + struct.pack("!I", 1) + hmac.new(secret, packet, hashlib.sha256).digest()[:20]


def test_seed_secret_key_is_a_true_hmac_sha256():
    """Seed 001: NTP_SECRET_KEY, key id 1, HMAC-SHA256 over the packet, truncated to 20 bytes in
    an RFC-conformant trailer. Checked with Python's own hmac, independently of our code."""
    secret = b"seed-001-shared-secret"
    env = dict(os.environ, NTP_SECRET_KEY=secret.decode())
    with Server("--local-stratum", "2", "--upstream", "none", "--require-auth", env=env) as s:
        reply = exchange(s.port, seed_request(secret))
        assert reply is not None and len(reply) == 48 + 24
        header, key_id, digest = reply[:48], struct.unpack("!I", reply[48:52])[0], reply[52:]
        assert key_id == 1
        assert digest == hmac.new(secret, header, hashlib.sha256).digest()[:20]
        assert struct.unpack("!Q", header[24:32])[0] == 0x0102030405060708   # origin
        nak = exchange(s.port, seed_request(b"not-the-secret"))
        assert nak is not None and len(nak) == 52 and nak[48:] == b"\0\0\0\0"     # crypto-NAK
        assert nak[32:48] == header[24:32] * 2                                   # and no time
        counters = s.counters()["outcomes"]
        assert counters["crypto_nak"] == 1 and counters["answered_authenticated"] == 1


def test_world_readable_keyfile_is_refused():
    with tempfile.NamedTemporaryFile("w", suffix=".keys", delete=False) as f:
        f.write("1 SHA1 HEX:00112233445566778899aabbccddeeff00112233\n")
    os.chmod(f.name, 0o644)
    try:
        result = subprocess.run([chronowatch_binary(), "serve", "--listen", "127.0.0.1:0", "--upstream", "none",
                                 "--keyfile", f.name], capture_output=True, text=True, timeout=20)
        assert result.returncode == 4, result.stderr
        assert f.name in result.stderr or "readable" in result.stderr
    finally:
        os.unlink(f.name)
