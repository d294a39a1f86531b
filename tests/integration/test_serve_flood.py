"""A flood from one source (127.0.0.2, bounded in time) does not deny service to others: while it
runs, a second client (127.0.0.1) polling every second keeps getting >= 99 % answers. The flooder
is rate limited: a few RATE Kiss-o'-Death packets (themselves limited to one per --kod-interval),
the rest dropped and counted; the table of clients stays fixed-size. And a flood spread over many
source ports, which SO_REUSEPORT spreads over every worker thread, still gets the limit once: the
workers share one table."""
import subprocess
import sys
import time

import ntplib

from serve_support import Server

FLOOD_SECONDS = 12
FLOODER = r"""
import socket, struct, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
packet = struct.pack("!BBbbII4sQQQQ", 0x23, 0, 6, 0, 0, 0, b"\0" * 4, 0, 0, 0, 0x0102030405060708)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 0))
s.setblocking(False)
sent, end = 0, time.monotonic() + seconds
while time.monotonic() < end:
    for _ in range(256):
        try:
            s.sendto(packet, ("127.0.0.1", port)); sent += 1
        except BlockingIOError:
            pass
        try:
            while True: s.recv(2048)
        except BlockingIOError:
            pass
print(sent)
"""


def test_flood_from_one_source_leaves_other_clients_served():
    with Server("--local-stratum", "2", "--upstream", "none", "--rate-interval", "1",
                "--rate-burst", "16", "--kod-interval", "2", rate_limited=True) as server:
        flood = subprocess.Popen([sys.executable, "-c", FLOODER, str(server.port), str(FLOOD_SECONDS)],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        asked = answered = 0
        client = ntplib.NTPClient()
        deadline = time.monotonic() + FLOOD_SECONDS - 2
        while time.monotonic() < deadline:
            asked += 1
            try:
                reply = client.request("127.0.0.1", port=server.port, version=4, timeout=1)
                answered += reply.stratum == 2
            except ntplib.NTPException:
                pass
            time.sleep(1)
        sent = int(flood.communicate(timeout=30)[0])
        counters = server.counters()["outcomes"]
        assert sent > 10000, sent
        assert asked >= 8
        assert answered >= 0.99 * asked, (answered, asked, counters)
        assert counters["ignored_rate_limited"] > sent // 4, (sent, counters)  # most of it dropped
        # RATE KoDs are themselves limited: one per 2 s for the client, whichever worker answers.
        assert 1 <= counters["kiss_rate"] <= FLOOD_SECONDS / 2 + 2, counters


SPREAD = r"""
import socket, struct, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
packet = struct.pack("!BBbbII4sQQQQ", 0x23, 0, 6, 0, 0, 0, b"\0" * 4, 0, 0, 0, 0x0102030405060708)
sockets = []
for _ in range(64):  # 64 source ports: SO_REUSEPORT hashes them over every worker's socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.3", 0))
    s.setblocking(False)
    sockets.append(s)
answers = kisses = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    for s in sockets:
        s.sendto(packet, ("127.0.0.1", port))
    time.sleep(0.001)
    for s in sockets:
        try:
            while True:
                reply = s.recv(2048)
                if reply[1] == 0: kisses += 1
                else: answers += 1
        except BlockingIOError:
            pass
print(answers, kisses)
"""


def test_rate_limit_holds_across_worker_threads():
    with Server("--local-stratum", "2", "--upstream", "none", "--rate-interval", "1",
                "--rate-burst", "8", "--kod-interval", "10", rate_limited=True, threads=4) as server:
        seconds = 2
        out = subprocess.run([sys.executable, "-c", SPREAD, str(server.port), str(seconds)],
                             capture_output=True, text=True, timeout=30, check=True)
        answers, kisses = (int(x) for x in out.stdout.split())
        counters = server.counters()["outcomes"]
        # One table: the burst of 8 plus one per second, not 4 workers × that.
        assert answers <= 8 + seconds + 2, (answers, counters)
        assert answers >= 8, (answers, counters)
        assert kisses == 1, (kisses, counters)
        assert counters["ignored_rate_limited"] > 1000, counters
