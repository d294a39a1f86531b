"""/metrics for real: a Prometheus started on loopback scrapes the collector's console (with its
bearer token), `serve --metrics` and `agent --metrics`; its API reports up == 1 for each and our
series, and `promtool check metrics` passes on each endpoint's text."""
import socket
import subprocess
import urllib.request

from agent_helpers import start_daemon
from peers import Prometheus, free_port, wait_for
from pipeline_support import Keys, simulate
from serve_support import Server
from web_support import Console


def fetch(url, token=None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def promtool_check(text):
    result = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_scrapes_collector_serve_and_agent(workdir):
    keys = Keys(workdir / "keys", agents=2)
    console = Console(keys, workdir / "data" / "events.db", extra=("--metrics-max-agents", "1"))
    serve_metrics = f"127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    agent_metrics = f"127.0.0.1:{free_port(socket.SOCK_STREAM)}"
    server = Server("--local-stratum", "3", "--upstream", "none", "--metrics", serve_metrics)
    agent = start_daemon(None, "--sink", "stdout", "--ntp-server", f"127.0.0.1:{server.port}",
                         "--poll-interval", "1", "--spool-dir", str(workdir / "spool"),
                         "--agent-id", "metrics-agent", "--metrics", agent_metrics)
    prometheus = None
    try:
        code, _ = simulate(keys, console.collector, agents=2, rate=50, duration=1)
        assert code == 0
        wait_for(lambda: agent.alive() and "metrics at" in agent.log(), timeout=20,
                 what="the agent's metrics endpoint")
        prometheus = Prometheus({
            "collector": (f"127.0.0.1:{console.http_port}",
                          {"authorization": {"type": "Bearer",
                                             "credentials_file": str(console.token_file)}}),
            "serve": (serve_metrics, {}),
            "agent": (agent_metrics, {}),
        })

        def all_up():
            up = {m["job"]: v for m, v in prometheus.query("up")}
            return up == {"collector": 1.0, "serve": 1.0, "agent": 1.0}

        wait_for(all_up, timeout=30, what="Prometheus to scrape all three with up == 1")
        wait_for(lambda: prometheus.query("chronowatch_serve_received_packets_total > 0"),
                 timeout=30, what="serve's received packets, after the agent's polls")
        stored = prometheus.query("chronowatch_collector_events_stored_total")
        assert stored and stored[0][1] > 0
        assert prometheus.query('chronowatch_build_info{program="collector"}')
        assert prometheus.query("chronowatch_collector_event_store_latency_seconds_count > 0")
        agents_up = prometheus.query("chronowatch_agent_up")
        assert len(agents_up) == 1, agents_up  # capped by --metrics-max-agents 1
        omitted = prometheus.query("chronowatch_collector_metrics_agents_omitted")
        # Beyond the cap of 1: the other agent. Not `collector`, the author of the incidents the
        # simulated drifts raise (docs/alerts.md): the store lists it among its agents, but it is
        # no agent (docs/api.md).
        assert omitted[0][1] == 1.0
        wait_for(lambda: prometheus.query("chronowatch_agent_poll_rounds_total > 0"), timeout=30,
                 what="the agent's poll rounds")
        assert prometheus.query('chronowatch_serve_responses_total{kind="answered"} > 0')

        promtool_check(fetch(f"{console.base}/metrics", console.token))
        promtool_check(fetch(f"http://{serve_metrics}/metrics"))
        promtool_check(fetch(f"http://{agent_metrics}/metrics"))
    finally:
        if prometheus:
            prometheus.stop()
        agent.stop()
        server.stop()
        console.stop()
