"""A campaign across real networks: three pairs of network namespaces this test creates, each
target watched by its own `chronowatch agent --interface` (three agents, one collector), and nmap
scanning all three from one source address (10.250.0.1, on each attacker side, routed back from
each target). The collector's correlation makes one campaign incident of it — one alert, whose
stored incident names the three agents and the source — instead of three unrelated scan alerts.
The agents reach the collector over ZeroMQ ipc:// (a unix socket: the namespaces share the file
system, not the loopback)."""
import json
import subprocess

import pytest

from netns import Lab, require_namespaces
from peers import chronowatch_binary, wait_for
from pipeline_support import Keys, run
from web_support import Console

pytestmark = pytest.mark.skipif(subprocess.run(["which", "nmap"], capture_output=True).returncode != 0,
                                reason="nmap is not installed (scripts/install-deps)")

SOURCE = "10.250.0.1"


def agent_in(lab, keys, collector, name, spool):
    argv = [chronowatch_binary(), "agent", "--interface", lab.target_if, "--sink", "zmq",
            "--collector", collector.endpoint, "--collector-key", keys.server / "collector.pub",
            "--key", keys.agents / f"{name}.key", "--agent-id", name,
            "--ntp-server", "127.0.0.1:9", "--poll-interval", "30", "--spool-dir", spool]
    return lab.start(lab.target_ns, argv, name)


def campaign_alerts(console):
    status, _, body = console.get("/api/v1/alerts")
    assert status == 200, body
    return [a for a in body["alerts"] if a["rule"] == "incident"
            and a["labels"].get("incident") == "campaign"]


def test_nmap_against_three_namespaces_watched_by_three_agents_is_one_campaign(tmp_path):
    require_namespaces()
    keys = Keys(tmp_path, agents=3, prefix="net")
    db = tmp_path / "events.db"
    labs = [Lab(subnet=s) for s in (191, 192, 193)]
    console = None
    try:
        for lab in labs:
            lab.__enter__()
            lab.add_attacker_address(SOURCE)
            lab.run(lab.target_ns, ["ip", "route", "add", f"{SOURCE}/32", "dev", lab.target_if])
        console = Console(keys, db, extra=("--alert-outbox", str(tmp_path / "outbox")),
                          endpoint=f"ipc://{tmp_path}/collector.ipc")
        collector = console.collector
        agents = [agent_in(lab, keys, collector, f"net-{i:04d}", tmp_path / f"spool-{i}")
                  for i, lab in enumerate(labs, start=1)]
        for agent in agents:
            wait_for(lambda: "network monitor capturing on" in agent.log(), timeout=20,
                     what="each agent to capture")
        for lab in labs:
            lab.run(lab.attacker_ns, ["nmap", "-sS", "-n", "-Pn", "-T4", "-p", "1-200", "-e",
                                      lab.attacker_if, "-S", SOURCE, lab.target])

        def campaigns():
            stored = [json.loads(line) for line in run("events", "--db", db, "--type", "incident",
                                                       "--json").stdout.splitlines()]
            return [e for e in stored if e["attributes"]["incident"] == "campaign"]

        wait_for(lambda: campaigns() and set(campaigns()[-1]["attributes"]["agents"].split(","))
                 == {"net-0001", "net-0002", "net-0003"}, timeout=40,
                 what="a campaign incident naming the three agents")
        last = campaigns()[-1]
        wait_for(lambda: campaign_alerts(console), timeout=10, what="the campaign alert")
        (campaign,) = campaign_alerts(console)  # one alert, not one per agent or per re-raise
        assert campaign["labels"]["source"] == SOURCE, campaign
        assert campaign["count"] == len(campaigns()), (campaign, campaigns())
        assert last["data"]["source"] == SOURCE
        assert "port_scan" in last["attributes"]["kinds"]
        # every member is a scan one of the agents stored
        for member in last["attributes"]["members"].split(","):
            agent, sequence = member.rsplit(":", 1)
            status, _, found = console.get(f"/api/v1/events/{agent}/{sequence}")
            assert status == 200 and found["event"]["data"]["source"] == SOURCE, found
    finally:
        for lab in labs:
            lab.close()
        if console:
            assert console.stop() == 0, console.collector.process.log()
