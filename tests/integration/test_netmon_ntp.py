"""chronowatch netmon's NTP detectors on captures of real NTP traffic made in network namespaces
this test creates: chronyd serving a chronyd client (normal NTP: no event), ntpdc's monlist against
a mode 7 responder (mode7_request, mode7_responder), a monlist reflected at a victim's port 80
(amplification), mode 6 queries from an admin and a non-admin host (control_query), a server that
also sends off-path replies and KoDs (unsolicited_reply, kod_spoofed), nmap's NTP probe
(scanner_probe), and a server outside allowed_servers (rogue_server)."""
import pathlib
import shutil
import subprocess
import sys

import pytest

from netns import Lab, fields, netmon, of_type, require_namespaces
from peers import wait_for

PEER = [sys.executable, str(pathlib.Path(__file__).with_name("ntp_wire_peer.py"))]


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=178) as lab:
        lab.silence_ipv6()
        lab.add_attacker_address(f"{lab.net}.0.9")  # the victim of the reflection
        yield lab


def record(lab, name, steps):
    capture, path = lab.capture(name)
    for ns, argv in steps:
        lab.run(ns, argv, timeout=60)
    lab.stop_capture(capture)
    return path


def serve(lab, name, spoof=False):
    server = lab.start(lab.target_ns, PEER + ["spoof" if spoof else "serve", lab.target], name)
    wait_for(lambda: lab.run(lab.attacker_ns, PEER + ["client", lab.target, "1"], check=False)
             .returncode == 0, timeout=10, what="the NTP peer to answer")
    return server


def kinds(events):
    return sorted(e["kind"] for e in of_type(events, "ntp_anomaly"))


def chrony_conf(directory, lines):
    directory.mkdir(exist_ok=True)
    shutil.chown(directory, "_chrony", "_chrony")
    conf = directory / "chrony.conf"
    conf.write_text("\n".join([f"pidfile {directory}/chronyd.pid", f"driftfile {directory}/drift",
                               "cmdport 0", "bindcmdaddress /", *lines]) + "\n")
    return conf


@pytest.mark.skipif(shutil.which("chronyd") is None, reason="chronyd is not installed")
def test_chronyd_sync_fires_nothing(lab):
    server_conf = chrony_conf(lab.tmp / "server", ["port 123", f"bindaddress {lab.target}",
                                                   "allow all", "local stratum 2"])
    server = lab.start(lab.target_ns, ["capsh", "--drop=cap_sys_time", "--", "-c",
                                       f"exec chronyd -x -d -f {server_conf}"], "chronyd")
    client_conf = chrony_conf(lab.tmp / "client", ["port 0",
                                                   f"server {lab.target} iburst maxsamples 4"])
    capture, path = lab.capture("chrony")
    wait_for(lambda: lab.run(lab.attacker_ns, ["capsh", "--drop=cap_sys_time", "--", "-c",
                                               f"exec chronyd -x -Q -t 10 -f {client_conf}"],
                             check=False).returncode == 0, timeout=40, what="chronyd -Q to sync")
    lab.stop_capture(capture)
    server.stop()
    events, summary, _ = netmon(path)
    assert summary["detectors"]["ntp_anomaly"] == 0 and events == [], events
    assert summary["packets"] >= 8


def test_monlist_and_mode7_responder(lab):
    server = serve(lab, "ntp-serve")
    path = record(lab, "monlist", [(lab.attacker_ns, PEER + ["monlist", lab.target])])
    events, _, _ = netmon(path)
    assert kinds(events) == ["mode7_request", "mode7_responder"], events
    request = [e for e in map(fields, events) if e.get("kind") == "mode7_request"][0]
    assert request["severity"] == "high" and request["request_code"] == 42
    assert request["source"] == lab.attacker and request["destination"] == lab.target
    server.stop()


def test_reflection_at_a_victim_is_amplification(lab):
    server = serve(lab, "ntp-serve-reflect")
    path = record(lab, "reflect", [
        (lab.attacker_ns, PEER + ["client", lab.target, "3"]),  # the capture is warm
        (lab.attacker_ns, PEER + ["reflect", lab.target, f"{lab.net}.0.9"])])
    events, _, _ = netmon(path)
    amplification = [e for e in map(fields, events) if e.get("kind") == "amplification"]
    assert len(amplification) == 1, events
    assert amplification[0]["destination"] == f"{lab.net}.0.9"
    assert amplification[0]["ports"] == [80]
    server.stop()


def test_control_query_from_a_non_admin_host(lab, tmp_path):
    server = serve(lab, "ntp-serve-mode6")
    query = ["python3", "-c", "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
             "s.settimeout(2); "
             f"s.sendto(bytes([0x16, 2, 0, 1]) + bytes(8), ('{lab.target}', 123)); s.recv(2048)"]
    path = record(lab, "mode6", [(lab.attacker_ns, query)])
    events, _, _ = netmon(path)
    assert kinds(events) == ["control_query"], events
    config = tmp_path / "admin.yaml"
    config.write_text(f"network_monitor:\n  detection:\n    ntp:\n      admin_hosts: [{lab.attacker}]\n")
    events, _, _ = netmon(path, config=config)
    assert kinds(events) == [], events
    server.stop()


def test_off_path_replies_and_kiss_of_death(lab):
    server = serve(lab, "ntp-spoof", spoof=True)
    path = record(lab, "spoof", [(lab.attacker_ns, PEER + ["client", lab.target, "3"])])
    events, _, _ = netmon(path)
    assert kinds(events) == ["kod_spoofed", "unsolicited_reply"], events
    server.stop()


def test_rogue_server(lab, tmp_path):
    server = serve(lab, "ntp-rogue")
    path = record(lab, "rogue", [(lab.attacker_ns, PEER + ["client", lab.target, "3"])])
    events, _, _ = netmon(path)
    assert kinds(events) == [], events  # no allowed_servers: nothing to check
    config = tmp_path / "allowed.yaml"
    config.write_text("network_monitor:\n  detection:\n    ntp:\n      allowed_servers: [192.0.2.1]\n")
    events, _, _ = netmon(path, config=config)
    assert kinds(events) == ["rogue_server"], events
    server.stop()


@pytest.mark.skipif(shutil.which("nmap") is None, reason="nmap is not installed")
def test_nmap_ntp_probe(lab):
    server = serve(lab, "ntp-serve-nmap")
    path = record(lab, "nmap", [(lab.attacker_ns, ["nmap", "-sU", "-n", "-Pn", "-p123",
                                                   "--script", "ntp-info", lab.target])])
    events, _, _ = netmon(path)
    found = kinds(events)
    assert "scanner_probe" in found, events
    assert set(found) <= {"scanner_probe", "control_query"}, events
    server.stop()
