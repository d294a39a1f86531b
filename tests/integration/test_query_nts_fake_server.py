"""Our NTS client (query --nts) against a fake NTS-protected NTP server that sends what chrony
refuses (RFC 8915 §5.7): no cookie, a cookie outside the encrypted fields, another unique
identifier, an extension field after the authenticator, a cookie of 102 bytes. Each is refused
(an authentication failure, or no answer for the wrong unique identifier); the same fake sending a
correct reply is accepted, so the refusals are the client's.

The NTS-KE is our own serve's, with a master key the test wrote (--nts-key-file) and its port
record pointing at the fake (--nts-ntp-port): the fake opens the request's cookie with that key,
takes the session's S2C key and seals its replies with python3-cryptography's AES-SIV (fine here:
a reply's plaintext is never empty, unlike a chrony request's)."""
import os
import pathlib
import shutil
import socket
import struct
import tempfile
import threading
import time

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from nts_support import make_certificate, tcp_accepts
from peers import free_port, wait_for
from query_helpers import EXIT_AUTH, EXIT_NO_ANSWER, EXIT_OK, query
from serve_support import Server

MASTER = bytes(range(32))
UID, COOKIE, AUTH = 0x0104, 0x0204, 0x0404


def field(kind, body, length=None):
    length = length or 4 + len(body)
    return struct.pack("!HH", kind, length) + body + b"\0" * (-len(body) % 4)


def ntp_now():
    seconds, fraction = divmod(time.time() + 2208988800, 1)
    return struct.pack("!II", int(seconds), int(fraction * 2**32))


def fields_of(data):
    out, at = [], 0
    while at + 4 <= len(data):
        kind, length = struct.unpack_from("!HH", data, at)
        out.append((kind, data[at + 4:at + length]))
        at += length
    return out


class FakeNtsServer:
    """UDP on 127.0.0.1:port answering NTS requests the way `mode` says."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.answered = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping:
            try:
                request, peer = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            reply = self.reply(request)
            self.answered += 1  # before sending: the client may exit as soon as it has it
            self.sock.sendto(reply, peer)

    def reply(self, request):
        fields = dict(fields_of(request[48:]))
        uid, cookie = fields[UID], fields[COOKIE]
        plain = AESSIV(MASTER).decrypt(cookie[20:], [b"", cookie[4:20]])
        s2c = plain[4 + 32:4 + 64]
        header = bytearray(48)
        header[0] = 0x24  # LI 0, VN 4, mode 4
        header[1:4] = bytes([2, 6, 0xEC])  # stratum 2, poll 6, precision 2^-20
        header[24:32] = request[40:48]  # origin = the request's transmit timestamp
        header[16:24] = header[32:40] = header[40:48] = ntp_now()  # reference, T2, T3
        if self.mode == "wrong_uid":
            uid = bytes([uid[0] ^ 1]) + uid[1:]
        packet = bytes(header) + field(UID, uid)
        new_cookie = field(COOKIE, os.urandom(104))
        plaintext = new_cookie
        if self.mode == "zero_cookies":
            plaintext = field(0x7777, os.urandom(16))  # an encrypted field, but no cookie
        if self.mode == "unencrypted_cookie":
            packet += new_cookie
        if self.mode == "cookie_102":
            plaintext = field(COOKIE, os.urandom(102), length=4 + 102)
        nonce = os.urandom(16)
        sealed = AESSIV(s2c).encrypt(plaintext, [packet, nonce])
        packet += field(AUTH, struct.pack("!HH", 16, len(sealed)) + nonce + sealed)
        if self.mode == "field_after_authenticator":
            packet += field(0x7777, b"\0" * 24)  # 28 bytes: not mistaken for a MAC (20-24)
        return packet

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def ke():
    """Our serve as the NTS-KE server (TLS, keys, cookies under MASTER), whose port record names
    the fake: yields (cert, ke_port, set_fake_port)."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-fake-"))
    shutil.chown(directory, "_chrony", "_chrony")
    cert, key = make_certificate(directory)
    key_file = directory / "nts.keys"
    key_file.write_text(f"1 {MASTER.hex()}\n")
    key_file.chmod(0o600)
    yield cert, key, key_file
    shutil.rmtree(directory, ignore_errors=True)


def query_through_fake(ke, mode):
    cert, key, key_file = ke
    fake = FakeNtsServer(mode)
    ke_port = free_port(socket.SOCK_STREAM)
    try:
        with Server("--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key",
                    key, "--nts-key-file", key_file, "--nts-ke-listen", f"127.0.0.1:{ke_port}",
                    "--nts-ntp-port", fake.port):
            wait_for(lambda: tcp_accepts(ke_port), what="our NTS-KE")
            done = query("--nts", "--nts-ca", cert, "--nts-ke-port", ke_port, "--samples", 1,
                         "--timeout", 1, "127.0.0.1")
            return done, fake.answered
    finally:
        fake.stop()


def test_the_fake_is_accepted_when_it_answers_correctly(ke):
    done, answered = query_through_fake(ke, "good")
    assert done.returncode == EXIT_OK and answered == 1, done.stdout + done.stderr + str(done.returncode)


@pytest.mark.parametrize("mode,why", [
    ("zero_cookies", "carries no new cookie"),
    ("unencrypted_cookie", "a cookie outside its encrypted fields"),
    ("field_after_authenticator", "an extension field follows the NTS authenticator"),
    ("cookie_102", "missing or malformed"),  # a field of 106 bytes: not a multiple of 4
])
def test_what_chrony_refuses_is_an_authentication_failure(ke, mode, why):
    done, answered = query_through_fake(ke, mode)
    assert answered >= 1
    assert done.returncode == EXIT_AUTH, (mode, done.returncode, done.stdout, done.stderr)
    assert "NTS authentication failed" in done.stderr and why in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_another_unique_identifier_is_not_an_answer(ke):
    done, answered = query_through_fake(ke, "wrong_uid")
    assert answered >= 1
    # Not an answer to our request (RFC 8915 §5.7): the client keeps waiting, then says why.
    assert done.returncode == EXIT_NO_ANSWER, (done.returncode, done.stderr)
    assert "unique identifier is not the one we sent" in done.stderr, done.stderr
