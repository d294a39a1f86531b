"""Correlation into incidents with real agents: 20 drift agents (20 chronowatch agent processes,
honest clocks) all using one upstream chronyd that is 600 s wrong (libfaketime) make one fleet
time incident naming that server — stored as an `incident` event and notified once — instead of
twenty drift alerts."""
import json

from agent_helpers import agent_env
from alert_support import WebhookReceiver, alerts_of, start_agent
from peers import Chronyd, free_port, wait_for
from pipeline_support import Collector, Keys, run

AGENTS = 20


def incidents(db):
    result = run("events", "--db", db, "--type", "incident", "--json", check=False)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_twenty_agents_drifting_through_one_upstream_make_one_fleet_incident_naming_it(
        tmp_path, workdir):
    keys = Keys(tmp_path, agents=AGENTS, prefix="fleet")
    receiver = WebhookReceiver()
    collector = Collector(keys, tmp_path / "events.db", extra=["--alert-webhook", receiver.url])
    agents = []
    with Chronyd(faketime="+600s") as upstream:
        server = f"127.0.0.1:{upstream.port}"
        try:
            for i in range(1, AGENTS + 1):
                name = f"fleet-{i:04d}"
                spool = workdir / name
                spool.mkdir()
                env = agent_env(upstream.port, free_port(), spool, CW_AGENT_ID=name)
                agents.append(start_agent(env, keys, collector, name, poll=1))
            bodies = receiver.wait_for(lambda b: alerts_of(b, "incident", "firing"), 60,
                                       "the fleet incident notification")
            incident = alerts_of(bodies, "incident", "firing")[0]
            assert incident["labels"]["incident"] == "fleet_time"
            assert incident["labels"]["server"] == server
            # Every agent's drift has been reported (and folded into the incident) ...
            wait_for(lambda: collector.stats()["alerts"]["folded_into_incidents"]
                     + len(alerts_of(receiver.bodies(), "time_drift", "firing")) >= AGENTS,
                     timeout=60, what="all twenty drift reports")
        finally:
            for agent in agents:
                agent.stop()
            assert collector.stop() == 0, collector.process.log()
            receiver.stop()
    # ... and one incident stands for them: a handful alerted alone before it was recognized.
    bodies = receiver.bodies()
    assert len(alerts_of(bodies, "incident", "firing")) == 1, bodies
    assert len(alerts_of(bodies, "time_drift", "firing")) <= 4
    stored = [e for e in incidents(tmp_path / "events.db")
              if e["attributes"].get("phase") != "ended"]
    assert len(stored) == 1, stored
    assert stored[0]["attributes"]["incident"] == "fleet_time"
    assert stored[0]["attributes"]["server"] == server
    assert stored[0]["data"]["server"] == server
    assert len(stored[0]["attributes"]["agents"].split(",")) >= 3
