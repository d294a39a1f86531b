"""chronowatch netmon on captures of floods made inside network namespaces this test creates:
hping3 SYN bursts with random (spoofed) sources → one syn_flood per destination, at a listening
port (SYN-ACKs) and at a closed one (RSTs: each SYN refused is still a SYN of the flood); a loop of full
TCP connections from one client → one connection_flood; the same loop below the seed's limit of
50 → nothing."""
import subprocess

import pytest

from netns import Lab, netmon, of_type, pcap_times, require_namespaces

CONNECT_LOOP = """
import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.create_connection((sys.argv[2], 8080), timeout=2)
    s.close()
"""


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=172) as lab:
        server = ("import socket\n"
                  "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                  f"s.bind(('{lab.target}', 8080)); s.listen(4096)\n"
                  "while True:\n"
                  "    c, _ = s.accept(); c.close()\n")
        lab.start(lab.target_ns, ["python3", "-c", server], "acceptor")
        lab.wait_port(lab.attacker_ns, lab.target, 8080)
        yield lab


@pytest.mark.skipif(subprocess.run(["which", "hping3"], capture_output=True).returncode != 0,
                    reason="hping3 is not installed (scripts/install-deps)")
def test_spoofed_syn_burst_is_one_syn_flood(lab):
    capture, pcap = lab.capture("synflood")
    lab.run(lab.attacker_ns, ["hping3", "-S", "--rand-source", "-p", "8080", "-c", "1500", "-i", "u500", lab.target],
            check=False, timeout=60)
    lab.stop_capture(capture)
    events, summary, _ = netmon(pcap)
    floods = of_type(events, "syn_flood")
    assert len(floods) == 1, events
    assert floods[0]["destination"] == lab.target and floods[0]["ports"] == [8080]
    assert floods[0]["count"] >= 1000 and floods[0]["distinct_sources"] >= 200
    assert not of_type(events, "port_scan") and not of_type(events, "connection_flood")


@pytest.mark.skipif(subprocess.run(["which", "hping3"], capture_output=True).returncode != 0,
                    reason="hping3 is not installed (scripts/install-deps)")
def test_spoofed_syn_burst_at_a_closed_port_is_one_syn_flood(lab):
    # A default route through the attacker's side: the RSTs to the spoofed sources leave the
    # target on its veth (and are captured) instead of failing for want of a route.
    route = ["ip", "-n", lab.target_ns, "route", "add", "default", "via", lab.attacker]
    subprocess.run(route, check=True)
    try:
        capture, pcap = lab.capture("synflood-closed")
        lab.run(lab.attacker_ns, ["hping3", "-S", "--rand-source", "-p", "8081", "-c", "1500", "-i", "u500",
                                  lab.target], check=False, timeout=60)
        lab.stop_capture(capture)
    finally:
        subprocess.run(["ip", "-n", lab.target_ns, "route", "del", "default"], check=False)
    resets = len(pcap_times(pcap, lambda f: len(f) >= 54 and f[23] == 6 and f[47] & 0x04))
    assert resets >= 1000  # the kernel refused (nearly) every SYN
    events, _, _ = netmon(pcap)
    floods = of_type(events, "syn_flood")
    assert len(floods) == 1, events
    assert floods[0]["destination"] == lab.target and floods[0]["ports"] == [8081]
    assert floods[0]["count"] >= 1000 and floods[0]["distinct_sources"] >= 200
    assert not of_type(events, "port_scan") and not of_type(events, "connection_flood")


def test_connection_loop_is_one_connection_flood(lab):
    capture, pcap = lab.capture("connflood")
    lab.run(lab.attacker_ns, ["python3", "-c", CONNECT_LOOP, "150", lab.target])
    lab.stop_capture(capture)
    events, _, _ = netmon(pcap)
    floods = of_type(events, "connection_flood")
    assert len(floods) == 1, events
    assert floods[0]["source"] == lab.attacker and floods[0]["count"] >= 100
    assert not of_type(events, "syn_flood") and not of_type(events, "port_scan")


def test_connections_below_the_seed_limit_fire_nothing(lab):
    capture, pcap = lab.capture("fewconns")
    lab.run(lab.attacker_ns, ["python3", "-c", CONNECT_LOOP, "30", lab.target])
    lab.stop_capture(capture)
    events, summary, _ = netmon(pcap)
    assert events == [] and summary["handshakes"] >= 30


def test_seed_limit_comes_from_the_config_file(lab, tmp_path):
    capture, pcap = lab.capture("fewconns-strict")
    lab.run(lab.attacker_ns, ["python3", "-c", CONNECT_LOOP, "30", lab.target])
    lab.stop_capture(capture)
    config = tmp_path / "netmon.yaml"
    config.write_text("network_monitor:\n  detection:\n    max_connections_per_ip: 10\n")
    events, _, _ = netmon(pcap, config=config)
    assert len(of_type(events, "connection_flood")) == 1, events
