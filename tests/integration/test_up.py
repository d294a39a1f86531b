"""`chronowatch up` from an empty data directory: keys and token are made, the console answers,
the local agent (measuring a chronyd on loopback, never a public server) appears in
/api/v1/agents, and SIGINT stops everything with exit 0 and no process left behind."""
import json
import os
import signal
import socket
import urllib.request

from peers import Process, chronowatch_binary, free_port, wait_for


def children_of(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(entry))
            except OSError:
                pass
    return out


def test_up_runs_collector_console_and_local_agent_then_stops_cleanly(workdir, chronyd):
    data = workdir / "data"
    http = free_port(socket.SOCK_STREAM)
    zmq_port = free_port(socket.SOCK_STREAM)
    up = Process([chronowatch_binary(), "up", "--data-dir", str(data), "--http",
                  f"127.0.0.1:{http}", "--collector-listen", f"tcp://127.0.0.1:{zmq_port}",
                  "--interface", "none", "--ntp-server", f"127.0.0.1:{chronyd.port}"], name="up")
    try:
        wait_for(lambda: "#token=" in up.log() or not up.alive(), timeout=30,
                 what="the console URL in up's log")
        assert up.alive(), up.log()
        token = (data / "web-token").read_text().strip()
        assert f"http://127.0.0.1:{http}/#token={token}" in up.log()
        assert (data / "keys" / "collector.key").exists()
        assert (data / "authorized" / f"{socket.gethostname()}.pub").exists()
        agent_pids = children_of(up.pid)
        assert len(agent_pids) == 1, agent_pids

        def agents():
            request = urllib.request.Request(f"http://127.0.0.1:{http}/api/v1/agents")
            request.add_header("Authorization", f"Bearer {token}")
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())["agents"]

        wait_for(lambda: any(a["state"] == "up" for a in agents()), timeout=60,
                 what="the local agent up in /api/v1/agents")
        local = agents()[0]
        assert local["hostname"] == socket.gethostname()
        up.send_signal(signal.SIGINT)
        up.popen.wait(timeout=30)
        assert up.popen.returncode == 0, up.log()
        for pid in agent_pids:
            assert not os.path.exists(f"/proc/{pid}") or open(
                f"/proc/{pid}/stat").read().split()[2] == "Z", "the local agent is still running"
    finally:
        up.stop()
