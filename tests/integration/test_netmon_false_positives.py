"""chronowatch netmon must stay silent on ordinary traffic (issue 14's false positives), captured
for real in network namespaces this test creates:
- a busy server answering many clients: an HTTP server and a UDP service answering 40 client
  addresses, several connections each (its answers go to hundreds of ephemeral ports: not a scan);
- a capture that starts in the middle of Modbus/TCP connections (their first frames are
  responses and requests whose handshake was never seen);
- long Modbus/TCP polling from the authorized master with several ADUs in one segment
  (pipelined requests, and their answers in one write) and ADUs split across segments (a request
  and its answer each written in two sends). pymodbus 3.0.0rc1 closes the connection when a
  request arrives split (tried at bytes 5, 7, 8 and 10), so this slave is a small one written
  here that reads by the MBAP length, as the standard asks.
Each capture gives zero events, and each is checked to contain what it is meant to."""
import struct
import time

import pytest

from netns import Lab, netmon, pcap_times, require_namespaces
from peers import wait_for
from test_netmon_modbus import POLL, SLAVE

CLIENTS = 40

HTTP_AND_UDP = """
import socket, sys, threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((sys.argv[1], 5683))
def answer():
    while True:
        data, peer = udp.recvfrom(2048)
        udp.sendto(b"ok " + data, peer)
threading.Thread(target=answer, daemon=True).start()
SimpleHTTPRequestHandler.log_message = lambda *a: None
ThreadingHTTPServer((sys.argv[1], 8080), SimpleHTTPRequestHandler).serve_forever()
"""

CLIENT = """
import socket, sys, urllib.request
target, source = sys.argv[1], sys.argv[2]
for i in range(8):
    s = socket.create_connection((target, 8080), timeout=5, source_address=(source, 0))
    s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
    while s.recv(65536):
        pass
    s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((source, 0)); u.settimeout(5)
    u.sendto(b"hello %d" % i, (target, 5683)); u.recv(100); u.close()
"""

SPLITTING_SLAVE = """
import socket, struct, sys, threading, time
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer, answered = b"", 0
    while True:
        data = c.recv(4096)
        if not data:
            return
        buffer += data
        answers = []
        while len(buffer) >= 7 and len(buffer) >= 6 + struct.unpack(">H", buffer[4:6])[0]:
            size = 6 + struct.unpack(">H", buffer[4:6])[0]
            tid, _, _, unit, fc, _, count = struct.unpack(">HHHBBHH", buffer[:12])
            buffer = buffer[size:]
            answers.append(struct.pack(">HHHBBB", tid, 0, 3 + 2 * count, unit, fc, 2 * count)
                           + bytes(2 * count))
        if len(answers) == 1 and answered % 2:  # every other single answer, in two segments
            c.sendall(answers[0][:5]); time.sleep(0.02); c.sendall(answers[0][5:])
        elif answers:
            c.sendall(b"".join(answers))
        answered += len(answers)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 502)); s.listen(16)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
"""

PIPELINED = """
import socket, struct, sys, time
target, source, polls = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.create_connection((target, 502), timeout=5, source_address=(source, 0))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def read_request(tid, address):
    return struct.pack(">HHHBBHH", tid, 0, 6, 1, 3, address, 4)
def expect(n):
    got = b""
    while len(got) < n * 17:  # each answer: MBAP 7 + fc 1 + count 1 + 8 bytes of registers
        got += s.recv(4096)
tid = 0
for i in range(polls):
    if i % 2 == 0:  # three requests back to back in one segment
        s.sendall(b"".join(read_request(tid + k, 10 * k) for k in range(3)))
        tid += 3
        expect(3)
    else:  # one request split across two segments
        frame = read_request(tid, 0)
        tid += 1
        s.sendall(frame[:5]); time.sleep(0.02); s.sendall(frame[5:])
        expect(1)
    time.sleep(0.01)
s.close()
"""


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=181) as lab:
        lab.silence_ipv6()
        lab.master = f"{lab.net}.0.20"
        lab.add_attacker_address(lab.master)
        lab.clients = [f"{lab.net}.2.{i + 1}" for i in range(CLIENTS)]
        for address in lab.clients:
            lab.add_attacker_address(address)
        lab.start(lab.target_ns, ["/usr/bin/python3", "-c", SLAVE, lab.target], "modbus-slave")
        lab.start(lab.target_ns, ["/usr/bin/python3", "-c", HTTP_AND_UDP, lab.target], "busy")
        lab.splitting = lab.sweep[0]
        lab.start(lab.target_ns, ["/usr/bin/python3", "-c", SPLITTING_SLAVE, lab.splitting],
                  "splitting-slave")
        lab.wait_port(lab.attacker_ns, lab.splitting, 502)
        lab.wait_port(lab.attacker_ns, lab.target, 502)
        lab.wait_port(lab.attacker_ns, lab.target, 8080)
        yield lab


def modbus_config(lab, tmp_path):
    config = tmp_path / "netmon.yaml"
    config.write_text("network_monitor:\n  detection:\n    modbus:\n"
                      f"      authorized_masters: [{lab.master}]\n")
    return config


def tcp_payloads(path, port):
    """Payload sizes of the TCP segments to `port` (0: from port 502) in a capture (IPv4 over
    Ethernet)."""
    sizes = []

    def keep(frame):
        if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            return False
        ihl = (frame[14] & 15) * 4
        tcp = frame[14 + ihl:]
        total = struct.unpack(">H", frame[16:18])[0]
        if (struct.unpack(">H", tcp[2:4])[0] != port if port else
                struct.unpack(">H", tcp[0:2])[0] != 502):
            return False
        size = total - ihl - (tcp[12] >> 4) * 4
        if size > 0:
            sizes.append(size)
        return size > 0
    pcap_times(path, keep)
    return sizes


def test_a_busy_server_answering_many_clients_fires_nothing(lab):
    capture, pcap = lab.capture("busy")
    clients = [lab.start(lab.attacker_ns, ["/usr/bin/python3", "-c", CLIENT, lab.target, c],
                         f"client-{i}") for i, c in enumerate(lab.clients)]
    for client in clients:
        assert client.popen.wait(timeout=120) == 0, client.log()
    lab.stop_capture(capture)
    events, summary, _ = netmon(pcap)
    assert events == [], events
    assert summary["handshakes"] >= CLIENTS * 8


def test_a_capture_that_starts_mid_connection_fires_nothing(lab, tmp_path):
    masters = [lab.start(lab.attacker_ns, ["/usr/bin/python3", "-c", POLL, lab.target,
                                           lab.master, "300", "write"], f"poller-{i}")
               for i in range(2)]
    established = ["ss", "-Htn", "state", "established", "dst", f"{lab.target}:502"]
    wait_for(lambda: len(lab.run(lab.attacker_ns, established).stdout.splitlines()) == 2,
             timeout=20, what="both masters to be connected and polling")
    capture, pcap = lab.capture("mid-connection")
    time.sleep(2)  # the window captured: its length is the test's input, not a wait
    lab.stop_capture(capture)
    assert all(m.alive() for m in masters), "a poll ended inside the capture"
    for poller in masters:
        assert poller.popen.wait(timeout=60) == 0, poller.log()
    assert len(tcp_payloads(pcap, 502)) >= 50  # requests, and no handshake of theirs
    events, summary, _ = netmon(pcap, config=modbus_config(lab, tmp_path))
    assert events == [], events
    assert summary["handshakes"] == 0 and summary["decoded"] >= 100


def test_long_polling_with_back_to_back_and_split_adus_fires_nothing(lab, tmp_path):
    capture, pcap = lab.capture("modbus-pipelined")
    lab.run(lab.attacker_ns, ["/usr/bin/python3", "-c", PIPELINED, lab.splitting, lab.master,
                              "300"], timeout=120)
    lab.stop_capture(capture)
    requests, answers = tcp_payloads(pcap, 502), tcp_payloads(pcap, 0)
    assert requests.count(36) >= 100 and requests.count(5) >= 100 and requests.count(7) >= 100
    assert answers.count(51) >= 100 and answers.count(5) >= 50 and answers.count(12) >= 50
    events, summary, _ = netmon(pcap, config=modbus_config(lab, tmp_path))
    assert events == [], events
    assert summary["decoded"] >= 600
