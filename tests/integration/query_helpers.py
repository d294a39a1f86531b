"""Helpers for the `chronowatch query` integration tests: running the binary, a small fake NTP
server that answers with whatever a test asks for (malformed replies, Kiss-o'-Death, ...), and
python3-ntplib as an independent reference client."""
import json
import socket
import struct
import subprocess
import threading
import time

import ntplib

from peers import chronowatch_binary

NTP_EPOCH_OFFSET = 2208988800

# Exit statuses of `chronowatch query` (docs/query.md).
EXIT_OK, EXIT_USAGE = 0, 2
EXIT_NO_ANSWER, EXIT_KOD, EXIT_AUTH, EXIT_UNSYNC, EXIT_NO_MAJORITY = 3, 4, 5, 6, 7


def query(*args, timeout=60, env=None):
    """Runs `chronowatch query ARGS`; returns the CompletedProcess (text mode)."""
    argv = [chronowatch_binary(), "query", *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)


def query_json(*args, **kwargs):
    """Runs `chronowatch query ARGS --json`; returns (CompletedProcess, parsed JSON)."""
    done = query(*args, "--json", **kwargs)
    assert done.stdout, f"no output; stderr: {done.stderr}"
    return done, json.loads(done.stdout)


def ntplib_offset(port, samples=4):
    """The best (minimum-delay) offset python3-ntplib measures for 127.0.0.1:port, in seconds.
    ntplib's offset is server − local, the same sign as RFC 5905's θ."""
    client = ntplib.NTPClient()
    replies = [client.request("127.0.0.1", port=port, version=4, timeout=2) for _ in range(samples)]
    return min(replies, key=lambda r: r.delay).offset


def to_ntp(unix_seconds):
    whole = int(unix_seconds)
    fraction = int((unix_seconds - whole) * (1 << 32)) & 0xFFFFFFFF
    return ((whole + NTP_EPOCH_OFFSET) & 0xFFFFFFFF) << 32 | fraction


def server_reply(request, *, li=0, version=4, mode=4, stratum=2, refid=b"\x7f\x00\x00\x01",
                 origin=None, receive=None, transmit=None, shift=0.0):
    """A 48-byte NTP reply to `request` with the fields a test wants to break."""
    now = time.time() + shift
    origin = struct.unpack(">Q", request[40:48])[0] if origin is None else origin
    receive = to_ntp(now) if receive is None else receive
    transmit = to_ntp(now + 0.00001) if transmit is None else transmit
    first = (li << 6) | (version << 3) | mode
    return (struct.pack(">BBbb", first, stratum, 6, -20) + struct.pack(">II", 0x10, 0x20) + refid
            + struct.pack(">QQQQ", to_ntp(now - 10), origin, receive, transmit))


class FakeNtpServer:
    """A UDP server on 127.0.0.1 that answers each request with answer(request) (bytes, a list
    of bytes to send several datagrams, or None to stay silent). Counts the requests."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            self.requests.append(data)
            replies = self.answer(data)
            if replies is None:
                continue
            for reply in replies if isinstance(replies, list) else [replies]:
                self.sock.sendto(reply, peer)

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
