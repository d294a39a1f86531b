"""chronowatch netmon capturing live (--interface) on a veth inside a network namespace this test
creates, while nmap scans through it; and the command's handling of bad input: unreadable or
truncated captures, pcapng, a bad config key (exit 2), no source given."""
import json
import signal
import struct
import subprocess
import time

import pytest

from netns import Lab, netmon, of_type, pcap_times, records_of, require_namespaces
from peers import chronowatch_binary, wait_for


def test_live_capture_while_nmap_scans():
    require_namespaces()
    with Lab(subnet=174) as lab:
        monitor = lab.start(lab.target_ns, [chronowatch_binary(), "netmon", "--interface", lab.target_if,
                                            "--duration", "30", "--json"], "netmon-live")
        wait_for(lambda: "capturing on" in monitor.log(), timeout=15, what="netmon to capture")
        lab.run(lab.attacker_ns, ["nmap", "-sS", "-n", "-Pn", "-T4", "-p", "1-500", lab.target])
        # The scan ends; SIGINT ends the capture early and reports what is open.
        time.sleep(1)
        monitor.send_signal(signal.SIGINT)
        wait_for(lambda: not monitor.alive(), timeout=15, what="netmon to stop")
        assert monitor.stop() == 0
        lines = [json.loads(line) for line in monitor.log().splitlines() if line.startswith("{")]
        assert lines[-1]["type"] == "summary"
        scans = of_type(lines, "port_scan")
        assert len(scans) == 1, lines
        assert scans[0]["source"] == lab.attacker
        assert scans[0]["count"] >= 450 or lines[-1]["kernel"]["dropped"] > 0, lines


def test_scan_is_reported_within_a_second_of_its_deciding_probe():
    """Issue 14: `detected` arrives on netmon's stdout within 1 s of nmap's fifth probe, and the
    same attack ends once, with the same attack id."""
    require_namespaces()
    with Lab(subnet=177) as lab:
        lab.silence_ipv6()
        monitor = lab.start(lab.target_ns, [chronowatch_binary(), "netmon", "--interface", lab.target_if,
                                            "--duration", "40", "--json"], "netmon-decided")
        wait_for(lambda: "capturing on" in monitor.log(), timeout=15, what="netmon to capture")
        capture, path = lab.capture("decided")
        scan = lab.start(lab.attacker_ns, ["nmap", "-sS", "-n", "-Pn", "-T3", "--max-rate", "20",
                                           "-p", "1-100", lab.target], "nmap-decided")
        wait_for(lambda: '"phase":"detected"' in monitor.log(), timeout=30,
                 what="the detected record", interval=0.02)
        arrived = time.time()
        wait_for(lambda: not scan.alive(), timeout=60, what="nmap to finish")
        lab.stop_capture(capture)
        monitor.send_signal(signal.SIGINT)
        wait_for(lambda: not monitor.alive(), timeout=15, what="netmon to stop")
        lines = [json.loads(line) for line in monitor.log().splitlines() if line.startswith("{")]
        attacker = bytes(int(x) for x in lab.attacker.split("."))
        syns = pcap_times(path, lambda f: len(f) >= 54 and f[12:14] == b"\x08\x00" and f[23] == 6
                          and f[26:30] == attacker and f[47] & 0x12 == 0x02)
        assert len(syns) >= 5
        print(f"detected {arrived - syns[4]:.3f} s after the fifth probe")
        assert arrived - syns[4] <= 1.0, (arrived - syns[4], syns[:6])
        detected = records_of(lines, "port_scan", "detected")
        ended = records_of(lines, "port_scan", "ended")
        assert len(detected) == 1 and len(ended) == 1, lines
        assert detected[0]["attack_id"] == ended[0]["attack_id"]
        assert not records_of(lines, "syn_flood"), lines


def write_pcap(path, frames, linktype=1):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)) + frame)


def write_pcapng(path, frames, linktype=1):
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", linktype, 0, 65535)))
        for i, frame in enumerate(frames):
            ts = (1700000000 + i) * 1000000
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame))


def syn(src_last, port):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([10, 9, 0, src_last]), bytes([10, 9, 0, 2]))
    tcp = struct.pack(">HHIIBBHHH", 40000, port, 1, 0, 0x50, 0x02, 1024, 0, 0)
    return b"\x02" * 12 + b"\x08\x00" + ip + tcp


def test_pcapng_and_malformed_frames(tmp_path):
    frames = [syn(1, p) for p in range(1, 40)]
    frames += [syn(1, 1)[:20], b"\x02" * 12 + b"\x08\x00" + b"\x55" * 30, b"\x02" * 12 + b"\x08\x06" + b"\0" * 28]
    ng = tmp_path / "scan.pcapng"
    write_pcapng(ng, frames)
    events, summary, _ = netmon(ng)
    assert len(of_type(events, "port_scan")) == 1  # unanswered SYNs fail when the capture ends
    for event in events:  # the one JSON form of an event, as `events --json` prints it
        assert list(event)[:8] == ["agent_id", "sequence", "type", "severity", "timestamp",
                                   "timestamp_ns", "data_type", "data"], event
        assert event["data_type"] == "network" and "source" in event["data"], event
    assert summary["packets"] == 42 and summary["truncated"] == 1 and summary["malformed"] == 1
    assert summary["not_ip"] == 1
    classic = tmp_path / "scan.pcap"
    write_pcap(classic, frames)
    events2, summary2, _ = netmon(classic)
    assert summary2["packets"] == 42 and len(events2) == len(events)


def test_truncated_file_is_read_up_to_the_cut(tmp_path):
    path = tmp_path / "cut.pcap"
    write_pcap(path, [syn(1, p) for p in range(1, 20)])
    data = path.read_bytes()
    path.write_bytes(data[:-30])
    result = subprocess.run([chronowatch_binary(), "netmon", "--pcap", str(path), "--json"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    if result.returncode == 1:
        assert "truncated" in result.stderr or "capture" in result.stderr


def test_bad_config_key_exits_2_and_names_it(tmp_path):
    pcap = tmp_path / "empty.pcap"
    write_pcap(pcap, [])
    config = tmp_path / "bad.yaml"
    config.write_text("network_monitor:\n  detection:\n    port_scan_treshold: 10\n")
    result = subprocess.run([chronowatch_binary(), "netmon", "--pcap", str(pcap), "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "network_monitor.detection.port_scan_treshold: unknown key" in result.stderr
    config.write_text("network_monitor:\n  detection:\n    suspicious_ports: [22, 70000]\n")
    result = subprocess.run([chronowatch_binary(), "netmon", "--pcap", str(pcap), "--config", str(config)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "suspicious_ports[1]" in result.stderr


def test_needs_a_source_and_a_readable_file(tmp_path):
    result = subprocess.run([chronowatch_binary(), "netmon"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--pcap" in result.stderr
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"this is not a capture")
    result = subprocess.run([chronowatch_binary(), "netmon", "--pcap", str(junk)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "cannot read capture file" in result.stderr
