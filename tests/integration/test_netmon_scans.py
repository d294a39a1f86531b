"""chronowatch netmon on captures of real nmap scans made inside network namespaces this test
creates: -sS, -sT and -sU (port_scan), a fast -T5 scan of 3000 ports at 2500/s (one port_scan, not a
syn_flood as well: one attack is one event), a one-port sweep over a /28 (address_scan), and a capture
of normal traffic on which nothing fires."""
import subprocess

import pytest

from netns import Lab, fields, netmon, of_type, require_namespaces

pytestmark = pytest.mark.skipif(subprocess.run(["which", "nmap"], capture_output=True).returncode != 0,
                                reason="nmap is not installed (scripts/install-deps)")


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=171) as lab:
        lab.start(lab.target_ns, ["python3", "-m", "http.server", "8080", "--bind", lab.target], "http")
        lab.wait_port(lab.attacker_ns, lab.target, 8080)
        yield lab


def record(lab, name, argv, ns=None):
    capture, path = lab.capture(name)
    lab.run(ns or lab.attacker_ns, argv, timeout=120)
    lab.stop_capture(capture)
    return path


def test_syn_scan_is_one_port_scan(lab):
    pcap = record(lab, "syn", ["nmap", "-sS", "-n", "-Pn", "-T4", "--top-ports", "200", lab.target])
    events, summary, _ = netmon(pcap)
    scans = of_type(events, "port_scan")
    assert len(scans) == 1, events
    scan = scans[0]
    assert scan["source"] == lab.attacker and scan["destination"] == lab.target
    assert scan["count"] >= 190 and scan["probes_to_decide"] <= 10
    assert "22" in scan["sensitive_ports"].split(",")
    assert scan["severity"] == "high"
    assert summary["detectors"]["port_scan"] == 1 and summary["malformed"] == 0
    assert not of_type(events, "syn_flood") and not of_type(events, "connection_flood")


def test_fast_scan_is_one_port_scan_and_no_flood(lab):
    pcap = record(lab, "fast", ["nmap", "-sS", "-n", "-Pn", "-T5", "--max-rate", "2500",
                                "--max-retries", "0", "-p", "1-3000", lab.target])
    events, summary, _ = netmon(pcap)
    scans = of_type(events, "port_scan")
    assert len(scans) == 1 and scans[0]["count"] >= 2900, events
    assert {e["type"] for e in events} == {"port_scan"}, events  # detected, ended: one attack
    assert len({fields(e)["attack_id"] for e in events}) == 1


def test_connect_scan_is_one_port_scan(lab):
    pcap = record(lab, "connect", ["nmap", "-sT", "-n", "-Pn", "-T4", "-p", "1-300,8080", lab.target])
    events, _, _ = netmon(pcap)
    scans = of_type(events, "port_scan")
    assert len(scans) == 1, events
    assert scans[0]["failures"] >= 290 and scans[0]["successes"] >= 1  # 8080 is open


def test_udp_scan_is_one_port_scan(lab):
    pcap = record(lab, "udp", ["nmap", "-sU", "-n", "-Pn", "-T5", "--max-retries", "0", "-p", "1000-1040", lab.target])
    events, _, _ = netmon(pcap)
    scans = of_type(events, "port_scan")
    assert len(scans) == 1, events
    assert scans[0]["source"] == lab.attacker and scans[0]["count"] >= 30


def test_one_port_sweep_is_an_address_scan(lab):
    pcap = record(lab, "sweep", ["nmap", "-sS", "-n", "-Pn", "-T4", "-p", "502", f"{lab.net}.1.0/28"])
    events, _, _ = netmon(pcap)
    sweeps = of_type(events, "address_scan")
    assert len(sweeps) == 1, events
    assert sweeps[0]["ports"] == [502] and "destination" not in sweeps[0]  # absent: many hosts
    assert sweeps[0]["distinct_hosts"] >= 12
    assert not of_type(events, "port_scan")


def test_normal_traffic_fires_nothing(lab):
    client = ("import urllib.request, time\n"
              "for i in range(15):\n"
              f"    urllib.request.urlopen('http://{lab.target}:8080/').read(); time.sleep(0.05)\n")
    pcap = record(lab, "normal", ["python3", "-c", client])
    events, summary, _ = netmon(pcap)
    assert events == [], events
    assert summary["handshakes"] >= 15 and summary["events"] == 0
