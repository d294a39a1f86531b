"""Small NTP peers for test_netmon_ntp.py, run inside the test's network namespaces.

  serve ADDR               answers mode 3 (mode 4, stratum 2), mode 6 (a readvar response) and
                           mode 7 (a three-packet monlist response of 440-byte packets)
  spoof ADDR               answers mode 3 correctly, then sends a reply with a wrong origin and a
                           RATE Kiss-o'-Death that match no request (an off-path attacker's packets)
  client ADDR N [GAP]      N mode 3 requests, one at a time, each waiting for its reply, GAP
                           seconds apart (0.05)
  burst ADDR N             N mode 3 requests 50 ms apart, not waiting (a client polling far
                           too fast); prints how many Kiss-o'-Death answers came back
  offpath SERVER CLIENT    from another host: a mode 4 reply and a RATE KoD with SERVER's address
                           as source at CLIENT:123, matching no request (raw socket)
  covert ADDR              mode 3 requests carrying bytes no NTP layout explains (10 trailing
                           bytes; an extension field whose length runs past the packet)
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


def client(address, count, gap=0.05):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2)
    replies = 0
    for _ in range(count):
        transmit = ntp_now() ^ (os.getpid() & 0xFFFF)
        sock.sendto(header(3, stratum=0, transmit=transmit), (address, 123))
        try:
            while True:
                data = sock.recv(2048)
                if struct.unpack(">Q", data[24:32])[0] == transmit:
                    replies += 1
                    break
        except socket.timeout:  # a server may skip a request (a restart, a leap second)
            if count == 1:
                raise
        time.sleep(gap)
    print(f"client: {replies} of {count} answered")
    if replies == 0:
        sys.exit(1)


def burst(address, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    kods = answers = 0
    for i in range(count + 20):
        if i < count:
            sock.sendto(header(3, stratum=0, transmit=ntp_now()), (address, 123))
        time.sleep(0.05)
        while True:
            try:
                data = sock.recv(2048)
            except BlockingIOError:
                break
            answers += 1
            kods += len(data) >= 48 and data[1] == 0 and (data[0] & 7) == 4
    print(f"burst: {answers} answers, {kods} kiss-o'-death")


def covert(address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(header(3, stratum=0, transmit=ntp_now()) + b"exfiltrate", (address, 123))
    sock.sendto(header(3, stratum=0, transmit=ntp_now()) + struct.pack(">HH", 0x2005, 400) + bytes(16),
                (address, 123))


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


def spoofed(source, destination, source_port, destination_port, payload):
    """An IPv4/UDP datagram with any source address (the UDP checksum is left 0: optional)."""
    udp = struct.pack(">HHHH", source_port, destination_port, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(source), socket.inet_aton(destination))
    return ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:] + udp


def reflect(server, victim, victim_port=80):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(3):
        sock.sendto(spoofed(victim, server, victim_port, 123, monlist_request()), (server, 0))
        time.sleep(0.05)


def offpath(server, client_address):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    now = ntp_now()
    for payload in (header(4, origin=now ^ 0x5A5A5A5A, receive=now, transmit=now),
                    header(4, stratum=0, refid=0x52415445, origin=now ^ 0x1234)):
        sock.sendto(spoofed(server, client_address, 123, 123, payload), (client_address, 0))
        time.sleep(0.05)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command in ("serve", "spoof"):
        serve(args[0], spoof=command == "spoof")
    elif command == "client":
        client(args[0], int(args[1]), float(args[2]) if len(args) > 2 else 0.05)
    elif command == "burst":
        burst(args[0], int(args[1]))
    elif command == "offpath":
        offpath(args[0], args[1])
    elif command == "covert":
        covert(args[0])
    elif command == "monlist":
        monlist(args[0])
    elif command == "reflect":
        reflect(args[0], args[1])
