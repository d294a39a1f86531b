"""chronowatch netmon's NTP detectors on captures of real NTP traffic made in network namespaces
this test creates: chronyd serving a chronyd client (normal NTP: no event), ntpdc's monlist against
a mode 7 responder (mode7_request, mode7_responder), a monlist reflected at a victim's port 80
(amplification), mode 6 queries from an admin and a non-admin host (control_query), a server that
also sends off-path replies and KoDs (unsolicited_reply, kod_spoofed), nmap's NTP probe
(scanner_probe), and a server outside allowed_servers (rogue_server).

With ntpsec's ntpd as the server (ntpsec_peer.py): ntpq from an admin and a non-admin host
(control_query for the non-admin only), a client polling far too fast (ntpd's RATE KoDs:
kod_storm), packets no NTP layout explains (nonstandard_packet), and replies and KoDs sent at
its client from another address (unsolicited_reply, kod_spoofed). With chronyd: a client of
three servers one of which is 5 s wrong (time_shift for that one only), a server restarted with
a wrong clock (time_shift, a jump), and a chronyd that announces and inserts the leap second of
2016-12-31 (under libfaketime) polled across it: nothing."""
import pathlib
import shutil
import subprocess
import sys

import pytest

from netns import Lab, fields, netmon, of_type, pcap_times, require_namespaces
from ntpsec_peer import ntpq, require_ntpsec, start_ntpd
from peers import LIBFAKETIME, wait_for

PEER = [sys.executable, str(pathlib.Path(__file__).with_name("ntp_wire_peer.py"))]


@pytest.fixture(scope="module")
def lab():
    require_namespaces()
    with Lab(subnet=178) as lab:
        lab.silence_ipv6()
        lab.add_attacker_address(f"{lab.net}.0.9")  # the victim of the reflection
        yield lab


@pytest.fixture(autouse=True)
def stop_what_the_test_started(lab):
    """Servers bind port 123 (ntpd on every address): one left by a failed test must not take
    the next test's port."""
    mark = lab.mark()
    yield
    lab.stop_since(mark)


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


def ntpd(lab, name, extra=(), limited=False):
    require_ntpsec()
    process, log = start_ntpd(lab, lab.tmp / name, extra, limited)
    wait_for(lambda: lab.run(lab.attacker_ns, PEER + ["client", lab.target, "1"], check=False)
             .returncode == 0 or not process.alive(), timeout=15, what="ntpd to answer")
    assert process.alive(), log.read_text() if log.exists() else process.log()
    return process


def test_ntpq_from_an_admin_and_a_non_admin_host(lab, tmp_path):
    server = ntpd(lab, "ntpd-mode6")
    admin, admin_route = f"{lab.net}.0.7", lab.sweep[1]
    lab.add_attacker_address(admin)  # ntpq has no source option: a route picks .0.7
    lab.run(lab.attacker_ns, ["ip", "route", "add", f"{admin_route}/32", "dev", lab.attacker_if,
                              "src", admin])
    capture, path = lab.capture("ntpq")
    assert "version=\"ntpd ntpsec" in ntpq(lab, lab.target).stdout  # from the non-admin .0.1
    assert "version=\"ntpd ntpsec" in ntpq(lab, admin_route).stdout  # from the admin .0.7
    lab.stop_capture(capture)
    server.stop()
    events, _, _ = netmon(path)
    queries = [e for e in map(fields, events) if e.get("kind") == "control_query"]
    assert sorted(q["source"] for q in queries) == [lab.attacker, admin], events
    config = tmp_path / "admin.yaml"
    config.write_text(f"network_monitor:\n  detection:\n    ntp:\n      admin_hosts: [{admin}]\n")
    events, _, _ = netmon(path, config=config)
    assert kinds(events) == ["control_query"], events
    assert fields(events[0])["source"] == lab.attacker and fields(events[0])["opcode"] == 2


def test_ntpd_rate_limits_a_fast_client_with_kiss_of_death(lab):
    server = ntpd(lab, "ntpd-kod", ["discard average 3"], limited=True)
    capture, path = lab.capture("ntpd-kod")
    burst = lab.run(lab.attacker_ns, PEER + ["burst", lab.target, "40"]).stdout
    lab.stop_capture(capture)
    server.stop()
    sent = int(burst.split(",")[1].split()[0])
    events, _, _ = netmon(path)
    assert kinds(events) == (["kod_storm"] if sent >= 5 else []), (burst, events)
    assert sent >= 5, f"ntpd sent too few KoDs for a storm: {burst}"
    storm = fields(events[0])
    assert storm["source"] == lab.target and storm["destination"] == lab.attacker
    assert storm["code"] == "RATE" and storm["count"] >= 5


def test_packets_no_ntp_layout_explains(lab):
    server = ntpd(lab, "ntpd-covert")
    path = record(lab, "covert", [(lab.attacker_ns, PEER + ["client", lab.target, "2"]),
                                  (lab.attacker_ns, PEER + ["covert", lab.target])])
    server.stop()
    events, _, _ = netmon(path)
    assert kinds(events) == ["nonstandard_packet"], events
    assert fields(events[0])["source"] == lab.attacker


def test_off_path_replies_and_kiss_of_death(lab):
    server = ntpd(lab, "ntpd-offpath")
    path = record(lab, "offpath", [(lab.attacker_ns, PEER + ["client", lab.target, "3"]),
                                   (lab.target_ns, PEER + ["offpath", lab.target, lab.attacker])])
    server.stop()
    events, _, _ = netmon(path)
    assert kinds(events) == ["kod_spoofed", "unsolicited_reply"], events
    assert {fields(e)["source"] for e in events} == {lab.target}


def chronyd_server(lab, name, address, fake=None, extra=()):
    conf = chrony_conf(lab.tmp / name, ["port 123", f"bindaddress {address}", "allow all", *extra])
    preload = f"env LD_PRELOAD={LIBFAKETIME} FAKETIME='{fake}' " if fake else ""
    process = lab.start(lab.target_ns, ["capsh", "--drop=cap_sys_time", "--", "-c",
                                        f"exec {preload}chronyd -x -d -f {conf}"], name)
    wait_for(lambda: lab.run(lab.attacker_ns, PEER + ["client", address, "1"], check=False)
             .returncode == 0, timeout=15, what=f"chronyd on {address} to answer")
    return process


@pytest.mark.skipif(shutil.which("chronyd") is None, reason="chronyd is not installed")
def test_chronyd_client_of_three_servers_one_a_falseticker(lab):
    honest = [lab.sweep[2], lab.sweep[3]]
    false = lab.sweep[4]
    servers = [chronyd_server(lab, f"honest{i}", a, extra=["local stratum 2"])
               for i, a in enumerate(honest)]
    servers.append(chronyd_server(lab, "falseticker", false, "+5s", ["local stratum 2"]))
    client_conf = chrony_conf(lab.tmp / "client3", ["port 0"] + [
        f"server {a} iburst maxsamples 4" for a in honest + [false]])
    capture, path = lab.capture("falseticker")
    lab.run(lab.attacker_ns, ["capsh", "--drop=cap_sys_time", "--", "-c",
                              f"exec chronyd -x -Q -t 12 -f {client_conf}"], timeout=30, check=False)
    lab.stop_capture(capture)
    for server in servers:
        server.stop()
    events, summary, _ = netmon(path)
    assert kinds(events) == ["time_shift"], events
    shift = fields(events[0])
    assert shift["source"] == false and shift["reason"] == "disagrees"
    assert 4000 < shift["offset_ms"] < 6000 and abs(shift["median_ms"]) < 500
    assert summary["packets"] >= 18


@pytest.mark.skipif(shutil.which("chronyd") is None, reason="chronyd is not installed")
def test_chronyd_server_restarted_with_a_wrong_clock_jumps(lab):
    address = lab.sweep[5]
    capture, path = lab.capture("jump")
    server = chronyd_server(lab, "jump-before", address, extra=["local stratum 2"])
    lab.run(lab.attacker_ns, PEER + ["client", address, "3", "0.2"])
    server.stop()
    server = chronyd_server(lab, "jump-after", address, "-3s", ["local stratum 2"])
    lab.run(lab.attacker_ns, PEER + ["client", address, "3", "0.2"])
    lab.stop_capture(capture)
    server.stop()
    events, _, _ = netmon(path)
    assert kinds(events) == ["time_shift"], events
    shift = fields(events[0])
    assert shift["source"] == address and shift["reason"] == "jump"
    assert -3500 < shift["jump_ms"] < -2500


def ntp_replies_of(path, server):
    """(capture time, leap indicator, server time − capture time) of each NTP reply of server."""
    import socket as sockets
    import struct
    wanted = sockets.inet_aton(server)
    out = []
    times = []

    def reply(frame):
        ip = frame[14:]
        if len(ip) < 28 + 48 or ip[9] != 17 or ip[12:16] != wanted:
            return False
        udp = ip[(ip[0] & 15) * 4:]
        if struct.unpack(">H", udp[:2])[0] != 123 or (udp[8] & 7) != 4:
            return False
        out.append((udp[8] >> 6, struct.unpack(">Q", udp[48:56])[0] / 2**32 - 2208988800))
        return True
    times = pcap_times(path, reply)
    return [(t, li, server_time - t) for t, (li, server_time) in zip(times, out)]


@pytest.mark.skipif(shutil.which("chronyd") is None or
                    not pathlib.Path("/usr/share/zoneinfo/right/UTC").exists(),
                    reason="chronyd or the right/UTC leap table is missing")
def test_leap_second_announced_and_inserted_fires_nothing(lab):
    fake = "@2016-12-31 23:59:48"  # libfaketime: starts then, and runs
    upstream, leaping = lab.sweep[6], lab.sweep[7]
    servers = [chronyd_server(lab, "leap-upstream", upstream, fake, ["local stratum 1"]),
               chronyd_server(lab, "leap-server", leaping, fake, [
                   f"server {upstream} iburst minpoll 0 maxpoll 0", "leapsectz right/UTC"])]
    capture, path = lab.capture("leap")
    lab.run(lab.attacker_ns, PEER + ["client", leaping, "44", "0.5"], timeout=90)
    lab.stop_capture(capture)
    for server in servers:
        server.stop()
    replies = ntp_replies_of(path, leaping)
    assert any(li == 1 for _, li, _ in replies), replies  # the announcement (RFC 5905 §7.3)
    offsets = [d for _, li, d in replies if li != 3]
    assert 0.8 < max(offsets) - min(offsets) < 1.2, replies  # and the inserted second
    events, _, _ = netmon(path)
    assert events == [], events


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
