"""SIGHUP reloads `chronowatch serve`'s keys (issue 16: the units' ExecReload= sends it).

--keyfile: a key added to the file and a SIGHUP later, requests MACed with it are answered
authenticated (by our raw packets and by a real chronyd), and a key removed from the file gets a
crypto-NAK; a file that cannot be used keeps the keys in use, with one log line saying why.
--nts-key-file: a new master key in the file and a SIGHUP later, a running chronyd's cookies
(sealed under the old key) get our NTSN, and chronyd makes a new NTS-KE by itself and goes on
measuring with cookies under the new key; a broken file keeps the keys in use."""
import hashlib
import os
import secrets
import signal
import struct

from nts_support import ChronydNtsClient
from peers import wait_for
from serve_support import Server, chronyd_measure, exchange
from test_serve_nts import certificate, nts_server  # noqa: F401 (the fixture)

KEYS = {10: bytes(range(20)), 20: bytes(range(100, 120))}


def write_keys(path, keys, mode=0o600):
    """As an operator's tool would: a new file renamed over the old one."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(f"{kid} SHA1 HEX:{secret.hex()}\n" for kid, secret in keys.items()))
    tmp.chmod(mode)
    os.replace(tmp, path)


def request(kid, secret, transmit=0x0102030405060708):
    """A client request with a SHA1 MAC (chrony's keyfile SHA1: SHA1(key || packet))."""
    packet = struct.pack("!BBbbII4sQQQQ", 0x23, 0, 6, 0, 0, 0, b"\0" * 4, 0, 0, 0, transmit)
    return packet + struct.pack("!I", kid) + hashlib.sha1(secret + packet).digest()


def answers(port, kid, secret, count=6):
    """How the server answered `count` requests, each from a new socket (so both workers see
    some): {"authenticated", "crypto_nak", "none"}."""
    kinds = set()
    for _ in range(count):
        reply = exchange(port, request(kid, secret))
        if reply is None:
            kinds.add("none")
        elif len(reply) == 72 and struct.unpack("!I", reply[48:52])[0] == kid:
            kinds.add("authenticated")
        elif len(reply) == 52 and reply[48:] == b"\0\0\0\0":
            kinds.add("crypto_nak")
        else:
            kinds.add(f"unexpected {len(reply)} bytes")
    return kinds


def hup_and_wait(server, text):
    before = server.process.log().count(text)
    server.process.send_signal(signal.SIGHUP)
    wait_for(lambda: server.process.log().count(text) > before or not server.process.alive(),
             timeout=5, what=f"'{text}' after SIGHUP")
    assert server.process.alive(), server.process.log()


def test_sighup_reloads_the_keyfile_and_a_bad_one_keeps_the_keys(tmp_path):
    keyfile = tmp_path / "ntp.keys"
    write_keys(keyfile, {10: KEYS[10]})
    with Server("--local-stratum", "2", "--upstream", "none", "--keyfile", keyfile) as s:
        assert answers(s.port, 10, KEYS[10]) == {"authenticated"}
        assert answers(s.port, 20, KEYS[20]) == {"crypto_nak"}

        write_keys(keyfile, {20: KEYS[20]})  # key 20 added, key 10 removed
        hup_and_wait(s, "SIGHUP: 1 key(s) loaded from")
        assert answers(s.port, 20, KEYS[20]) == {"authenticated"}
        assert answers(s.port, 10, KEYS[10]) == {"crypto_nak"}
        offset, log = chronyd_measure(s.port, "key 20", keys={20: f"SHA1 HEX:{KEYS[20].hex()}"})
        assert offset is not None and abs(offset) < 1e-3, log

        keyfile.write_text("20 SHA1 HEX:not-hex\n")
        hup_and_wait(s, "SIGHUP: keeping the keys in use")
        write_keys(keyfile, {10: KEYS[10]}, mode=0o644)  # readable by all: refused as at start
        hup_and_wait(s, "SIGHUP: keeping the keys in use")
        log = s.process.log()
        assert log.count("keeping the keys in use") == 2, log  # one line per bad reload
        assert answers(s.port, 20, KEYS[20]) == {"authenticated"}  # the keys in use stayed
        assert answers(s.port, 10, KEYS[10]) == {"crypto_nak"}
        assert s.counters()["outcomes"]["answered_authenticated"] >= 18


def test_sighup_reloads_the_nts_key_file(certificate, tmp_path):  # noqa: F811
    key_file = tmp_path / "nts.keys"
    with nts_server(certificate, "--nts-key-file", key_file) as server:
        client = ChronydNtsClient(server.port, server.ke_port, certificate[0])
        try:
            wait_for(lambda: len(client.measurements()) >= 2, timeout=30,
                     what="chronyd to accept two NTS measurements")
            assert server.counters()["outcomes"]["nts_nak"] == 0

            key_file.write_text("not a key file\n")
            hup_and_wait(server, "keeping the NTS cookie keys in use")
            seen = len(client.measurements())
            wait_for(lambda: len(client.measurements()) >= seen + 2, timeout=30,
                     what="chronyd to go on measuring with the keys in use")
            assert server.counters()["outcomes"]["nts_nak"] == 0  # its cookies still open

            key_file.write_text(f"# an operator's new key\n4242 {secrets.token_hex(32)}\n")
            hup_and_wait(server, "cookie key(s) from")
            assert "1 cookie key(s) from" in server.process.log()
            assert "(current 4242)" in server.process.log()
            wait_for(lambda: int((client.authdata() or {}).get("keyid", "0")) >= 2, timeout=40,
                     what="chronyd to make a new NTS-KE after its cookies stopped opening")
            assert server.counters()["outcomes"]["nts_nak"] >= 1  # what sent it back to NTS-KE
            seen = len(client.measurements())
            wait_for(lambda: len(client.measurements()) >= seen + 2, timeout=30,
                     what="chronyd to go on measuring with cookies under the new key")
            assert all(abs(o) < 0.001 for o in client.measurements())
        finally:
            client.stop()
