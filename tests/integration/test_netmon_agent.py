"""`chronowatch agent --interface IF`: the network monitor inside the agent, capturing on a veth in
a network namespace this test creates while nmap scans through it; the scan reaches the agent's
sinks (stdout here) as a port_scan event, and with --update-interval 1 a scan lasting seconds
sends `update` records at most once a second. The agent's NTP server is a closed loopback port inside
the namespace: nothing outside is contacted."""
import json
import signal
import time

from netns import Lab, require_namespaces
from peers import chronowatch_binary, wait_for


def agent_watching_a_scan(lab, spool, extra=(), scan=("-T4", "-p", "1-200")):
    """An agent capturing on the lab's target side, once nmap has scanned 200 of its ports."""
    agent = lab.start(lab.target_ns, [chronowatch_binary(), "agent", "--interface", lab.target_if,
                                      "--sink", "stdout", "--ntp-server", "127.0.0.1:9",
                                      "--poll-interval", "30", "--spool-dir", spool, *extra],
                      "agent-netmon")
    wait_for(lambda: "network monitor capturing on" in agent.log(), timeout=20, what="the agent to capture")
    lab.run(lab.attacker_ns, ["nmap", "-sS", "-n", "-Pn", *scan, lab.target])
    return agent


def stop_and_count_scans(agent):
    agent.send_signal(signal.SIGTERM)
    wait_for(lambda: not agent.alive(), timeout=20, what="the agent to stop")
    # One attack: its `detected` record at once, then one `ended` (issue 14).
    lines = [line for line in agent.log().splitlines() if '"port_scan"' in line]
    assert sum('"phase":"detected"' in line for line in lines) == 1, agent.log()
    return sum('"phase":"ended"' in line for line in lines)


def test_agent_reports_a_scan_seen_on_its_interface(tmp_path):
    require_namespaces()
    with Lab(subnet=175) as lab:
        lab.silence_ipv6()  # a quiet link: the scan must end by the clock, not by the next frame
        agent = agent_watching_a_scan(lab, tmp_path / "spool")
        # The scan is reported once it has been quiet for attack_idle (10 s), after the last
        # unanswered probe has failed (probe_timeout, 3 s): about 13 s, on a quiet link too (the
        # capture must not wait for the next frame to move its clock; 13–30 s when it did).
        wait_for(lambda: '"phase":"ended"' in agent.log(), timeout=20, what="the port_scan event")
        assert stop_and_count_scans(agent) == 1, agent.log()


def test_a_scan_still_open_when_the_agent_stops_is_reported(tmp_path):
    require_namespaces()
    with Lab(subnet=176) as lab:
        agent = agent_watching_a_scan(lab, tmp_path / "spool")
        # Stopped well before attack_idle (10 s) ends the scan: it is reported on the way out.
        assert stop_and_count_scans(agent) == 1, agent.log()


def test_update_records_at_most_once_per_update_interval(tmp_path):
    require_namespaces()
    with Lab(subnet=177) as lab:
        lab.silence_ipv6()
        started = time.monotonic()
        agent = agent_watching_a_scan(lab, tmp_path / "spool", ["--update-interval", "1"],
                                      ("--scan-delay", "25ms", "--max-retries", "0", "-p", "1-240"))
        scan_seconds = time.monotonic() - started
        assert stop_and_count_scans(agent) == 1, agent.log()
        records = [json.loads(line) for line in agent.log().splitlines()
                   if line.startswith("{") and '"port_scan"' in line]
        updates = [r for r in records if r["phase"] == "update"]
        # A scan of about 6 s grows all along: about one update a second, never more.
        assert 2 <= len(updates) <= scan_seconds + 1, (scan_seconds, records)
        assert len({r["attack_id"] for r in records}) == 1
        counts = [r["distinct_ports"] for r in updates]
        assert counts == sorted(counts) and counts[-1] > counts[0], counts
