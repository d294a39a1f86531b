#!/usr/bin/python3
"""Pipeline benchmark: N simulated CURVE agents (`chronowatch simulate`, one process) → one
collector with SQLite, on this machine, over loopback.

Phases:
 1. connect: N agents at a trickle; collector RSS idle vs. with N connections → memory per agent.
 2. throughput: N agents at --rate each for --duration s; events/s stored (collector counters,
    sampled every second, over the generation window and the best 5 s).
 3. latency: 10 % of the measured throughput; p50/p99 event timestamp → committed (collector).
 4. gaps: for every agent, stored sequences must be contiguous (max - min + 1 == count).

Usage: bench/pipeline/run.py [--agents 1000] [--rate 250] [--duration 20] [--binary PATH]
Prints one JSON object with the figures (and the load average at start and end).
"""
import argparse
import json
import os
import pathlib
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def json_lines(path):
    out = []
    for line in pathlib.Path(path).read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


class Simulation:
    """`chronowatch simulate` in the background, its JSON report read from a file at the end."""

    def __init__(self, argv, out):
        self.out = out
        self.process = subprocess.Popen(argv, stdout=open(out, "w"), stderr=subprocess.DEVNULL)

        self.cpu_seconds = None

    def poll(self):
        if self.cpu_seconds is None:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid == 0:
                return None
            self.process.returncode = os.waitstatus_to_exitcode(status)
            self.cpu_seconds = usage.ru_utime + usage.ru_stime
        return self.process.returncode

    def report(self):
        while self.poll() is None:
            time.sleep(0.1)
        return json_lines(self.out)[-1]


def simulate(cw, work, endpoint, agents, rate, duration, drain=60):
    simulate.runs = getattr(simulate, "runs", 0) + 1
    argv = [cw, "simulate", "--agents", str(agents), "--rate", str(rate), "--duration", str(duration),
            "--drain", str(drain), "--keys", str(work / "agents"), "--collector", endpoint,
            "--collector-key", str(work / "server" / "collector.pub"), "--json"]
    return Simulation(argv, work / f"simulate-{simulate.runs}.json")


def wait_stats(stats_file, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = json_lines(stats_file)
        if lines and predicate(lines[-1]):
            return lines[-1]
        time.sleep(0.2)
    raise TimeoutError("collector counters never reached the expected state")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=250, help="events/s per agent in phase 2")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--binary", default=str(REPO / "build" / "src" / "apps" / "chronowatch"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    cw = args.binary
    work = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-pipeline-"))
    load_start = os.getloadavg()
    subprocess.run([cw, "keygen", "--out", work / "server", "--name", "collector"], check=True,
                   capture_output=True)
    subprocess.run([cw, "simulate", "--agents", str(args.agents), "--keys", work / "agents",
                    "--duration", "0"], check=True, capture_output=True)
    (work / "authorized").mkdir()
    for pub in (work / "agents").glob("*.pub"):
        shutil.copy(pub, work / "authorized")
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    stats_file = work / "collector.jsonl"
    collector = subprocess.Popen(
        [cw, "collector", "--listen", endpoint, "--db", str(work / "events.db"),
         "--key", str(work / "server" / "collector.key"), "--authorized-keys", str(work / "authorized"),
         "--stats-interval", "1", "--json", "--heartbeat-interval", "3600"],
        stdout=open(stats_file, "w"), stderr=open(work / "collector.log", "w"))
    try:
        result = run_phases(args, cw, work, endpoint, stats_file, collector.pid)
    finally:
        collector.terminate()
        collector.wait(30)
    result["gaps"] = sequence_gaps(work / "events.db")
    result["load_start"], result["load_end"] = load_start, os.getloadavg()
    result["cpus"] = os.cpu_count()
    print(json.dumps(result, indent=1))
    if not args.keep:
        shutil.rmtree(work)


def cpu_seconds(pid):
    """User + system CPU time of a running process, from /proc/PID/stat."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phases(args, cw, work, endpoint, stats_file, collector_pid):
    idle = wait_stats(stats_file, lambda s: True, 20)
    # 1. memory per connected agent: a trickle keeps every connection open.
    trickle = simulate(cw, work, endpoint, args.agents, 0.2, 15)
    connected = wait_stats(stats_file, lambda s: s["connections"] >= args.agents, 120)
    time.sleep(2)
    connected = json_lines(stats_file)[-1]
    trickle.report()
    per_agent = (connected["rss_bytes"] - idle["rss_bytes"]) / args.agents
    # 2. throughput
    before = json_lines(stats_file)[-1]
    collector_cpu = cpu_seconds(collector_pid)
    t0 = time.monotonic()
    load = simulate(cw, work, endpoint, args.agents, args.rate, args.duration)
    samples = []
    while load.poll() is None:
        time.sleep(1)
        samples.append((time.monotonic(), json_lines(stats_file)[-1]["events_stored"]))
    report = load.report()
    time.sleep(2)  # the next counters line includes the last acknowledged batches
    after = wait_stats(stats_file, lambda s: s["events_queued"] == 0, 60)
    stored = after["events_stored"] - before["events_stored"]
    elapsed = time.monotonic() - t0
    collector_cpu = cpu_seconds(collector_pid) - collector_cpu
    load_throughput = os.getloadavg()
    best = 0.0
    for i in range(len(samples)):
        for j in range(i + 5, len(samples)):
            best = max(best, (samples[j][1] - samples[i][1]) / (samples[j][0] - samples[i][0]))
            break
    sustained = stored / max(elapsed, 1e-9)
    # 3. latency at 10 % of the sustained load
    light_rate = max(0.1, 0.1 * sustained / args.agents)
    # The collector's percentiles cover its last 100,000 events: make sure they are all light.
    light_duration = min(180.0, max(20.0, 120000 / (light_rate * args.agents)))
    light = simulate(cw, work, endpoint, args.agents, light_rate, light_duration)
    light_report = light.report()
    time.sleep(1.5)
    latency = json_lines(stats_file)[-1]
    return {
        "agents": args.agents,
        "collector_rss_idle_bytes": idle["rss_bytes"],
        "collector_rss_connected_bytes": connected["rss_bytes"],
        "collector_bytes_per_connected_agent": per_agent,
        "offered_events_per_s": args.agents * args.rate,
        "throughput_sent": report["total_sent"],
        "throughput_acknowledged": report["total_acknowledged"],
        "throughput_stored": stored,
        "throughput_elapsed_s": elapsed,
        "sustained_events_per_s": sustained,
        "best_5s_events_per_s": best,
        "load_during_throughput": load_throughput,
        "collector_cpu_us_per_event": 1e6 * collector_cpu / max(stored, 1),
        "simulator_cpu_us_per_event": 1e6 * load.cpu_seconds / max(report["total_sent"], 1),
        "latency_load_events_per_s": light_rate * args.agents,
        "latency_duration_s": light_duration,
        "latency_acknowledged": light_report["total_acknowledged"],
        "latency_p50_ms": latency["latency_p50_ms"],
        "latency_p99_ms": latency["latency_p99_ms"],
        "malformed_frames": latency["malformed_frames"],
        "rewinds": latency["rewinds"],
    }


def sequence_gaps(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT COALESCE(SUM(n), 0) FROM (SELECT MAX(sequence) - MIN(sequence) + 1 - COUNT(*) AS n "
            "FROM events WHERE sequence < 9223372036854775807 AND sequence >= 0 GROUP BY agent_id)").fetchone()
    return row[0]


if __name__ == "__main__":
    sys.exit(main())
