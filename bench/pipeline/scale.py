#!/usr/bin/python3
"""Scale benchmark: N simulated CURVE agents (`chronowatch simulate`, one process) connected to one
collector, heartbeats only, from several loopback source addresses (one address has ~28 000
ephemeral ports). Measures, bounded in time:
 - connecting: how long until every agent is connected (collector `connections`), and the collector's
   and the simulator's memory per connected agent (RSS idle vs. all connected);
 - heartbeat → stored latency (the collector's latency_recent_p50/p99_ms, over its last 2 000
   stored events, sampled each second while only heartbeats flow and everyone is connected: the
   liveness tracker hears an agent when its event is stored);
 - liveness: the last --stop-agents agents stop (as if killed) at --stop-at; every one of them,
   and no other, gets one agent_down (collector-made events in the store).
Descriptor limits of both processes are raised to --nofile (root raises the hard limit too).

Usage: bench/pipeline/scale.py [--agents 50000] [--heartbeat-interval 10] [--stop-agents 500]
                               [--sources 127.0.0.2,...,127.0.0.9] [--store sqlite|postgres]
                               [--processes 1] [--connect-timeout 300]
Prints a timeline (one line per 5 s) on stderr, then one JSON object.
"""
import argparse
import atexit
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import run as pipeline  # noqa: E402  (Store, prepare, free_port, json_lines)

AGENT_DOWN = 43  # events/event.h


def rss(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_s(pid):
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def limits(nofile):
    """The soft descriptor limit raised to `nofile`, or to the hard limit when that is lower (a
    process without CAP_SYS_RESOURCE cannot raise the hard one)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    value = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)

    def apply():
        resource.setrlimit(resource.RLIMIT_NOFILE, (value, hard))
    return apply


def prepare(cw, agents, processes):
    """Keys for `processes` groups of agents (prefixes s0, s1, ...), all authorized."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-scale-"))
    subprocess.run([cw, "keygen", "--out", work / "server", "--name", "collector"], check=True,
                   capture_output=True)
    (work / "authorized").mkdir()
    for p, count in enumerate(split(agents, processes)):
        subprocess.run([cw, "simulate", "--agents", str(count), "--prefix", f"s{p}", "--keys",
                        work / "agents", "--duration", "0"], check=True, capture_output=True)
    for pub in (work / "agents").glob("*.pub"):
        shutil.copy(pub, work / "authorized")
    return work


def split(agents, processes):
    return [agents // processes + (1 if p < agents % processes else 0) for p in range(processes)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50000)
    parser.add_argument("--heartbeat-interval", type=float, default=10)
    parser.add_argument("--liveness-grace", type=float, default=10)
    parser.add_argument("--stop-agents", type=int, default=500)
    parser.add_argument("--connect-timeout", type=float, default=300,
                        help="seconds for every agent to connect; --stop-at is after it")
    parser.add_argument("--sources", default=",".join(f"127.0.0.{i}" for i in range(2, 10)))
    parser.add_argument("--store", default="sqlite")
    parser.add_argument("--nofile", type=int, default=262144)
    parser.add_argument("--processes", type=int, default=1,
                        help="simulate processes (each agent holds 2 descriptors in one)")
    parser.add_argument("--binary", default=str(pipeline.REPO / "build" / "src" / "apps" / "chronowatch"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--io-threads", type=int, default=0,
                        help="each simulate's ZeroMQ I/O threads (0: simulate's one per 2 500 agents)")
    parser.add_argument("--collector-arg", action="append", default=[],
                        help="one more argument for the collector (repeatable)")
    args = parser.parse_args()
    cw = args.binary
    result = {"agents": args.agents, "collector_args": args.collector_arg,
              "simulate_io_threads": args.io_threads, "heartbeat_interval_s": args.heartbeat_interval,
              "stop_agents": args.stop_agents, "sources": args.sources, "store": args.store,
              "load_start": os.getloadavg()}
    started = time.monotonic()
    work = prepare(cw, args.agents, args.processes)
    result["processes"] = args.processes
    result["nofile_limit"] = resource.getrlimit(resource.RLIMIT_NOFILE)
    result["keys_s"] = time.monotonic() - started
    store = pipeline.Store(args.store, work)
    running = []  # the collector and the simulators: killed at exit, also when the run failed
    atexit.register(stop_everything, running, store)
    port = pipeline.free_port()
    stats = work / "collector.jsonl"
    collector = subprocess.Popen(
        [cw, "collector", "--listen", f"tcp://127.0.0.1:{port}", "--store", store.url,
         "--key", str(work / "server" / "collector.key"), "--authorized-keys", str(work / "authorized"),
         "--stats-interval", "1", "--json", "--heartbeat-interval", str(args.heartbeat_interval),
         "--liveness-grace", str(args.liveness_grace), *args.collector_arg],
        stdout=open(stats, "w"), stderr=open(work / "collector.log", "w"), preexec_fn=limits(args.nofile))
    running.append(collector)
    last = lambda: (pipeline.json_lines(stats) or [{}])[-1]  # noqa: E731
    deadline = time.monotonic() + 30
    while not last() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    result["collector_rss_idle_bytes"] = rss(collector.pid)
    # The run: connect, heartbeats, the subset stopped after everyone connected, then long enough
    # for 2 missed intervals + grace + one more interval.
    stop_at = args.connect_timeout
    down_after = 2 * args.heartbeat_interval + args.liveness_grace
    duration = stop_at + down_after + args.heartbeat_interval + 10
    sims, outs = [], []
    for p, count in enumerate(split(args.agents, args.processes)):
        outs.append(work / f"simulate-{p}.json")
        stop = split(args.stop_agents, args.processes)[p]
        sims.append(subprocess.Popen(
            [cw, "simulate", "--agents", str(count), "--prefix", f"s{p}", "--rate", "0",
             "--duration", str(duration), "--drain", "30", "--keys", str(work / "agents"),
             "--collector", f"tcp://127.0.0.1:{port}",
             "--collector-key", str(work / "server" / "collector.pub"), "--json",
             "--heartbeat-interval", str(args.heartbeat_interval), "--stop-agents", str(stop),
             "--stop-at", str(stop_at), "--source", args.sources, "--failover-after", "3600",
             "--io-threads", str(args.io_threads)],
            stdout=open(outs[-1], "w"), stderr=open(work / f"simulate-{p}.log", "w"),
            preexec_fn=limits(args.nofile)))
        running.append(sims[-1])
    t0 = time.monotonic()
    timeline, connected_at, steady = [], None, []
    peak = {"collector_rss": 0, "simulate_rss": 0}
    while any(sim.poll() is None for sim in sims):
        time.sleep(1)
        now = time.monotonic() - t0
        s = last()
        row = {"t": round(now), "hellos": s.get("hellos", 0), "zap_accepted": s.get("zap_accepted", 0),
               "connections": s.get("connections", 0), "collector_rss": rss(collector.pid),
               "simulate_rss": sum(rss(sim.pid) for sim in sims),
               "simulate_fds": sum(descriptors(sim.pid) for sim in sims),
               "collector_fds": descriptors(collector.pid), "stored": s.get("events_stored", 0),
               "collector_cpu_s": cpu_s(collector.pid),
               "simulate_cpu_s": sum(cpu_s(sim.pid) for sim in sims),
               "latency_p99_ms": s.get("latency_p99_ms"), "liveness_events": s.get("liveness_events", 0),
               "load1": os.getloadavg()[0]}
        for k in peak:
            peak[k] = max(peak[k], row[k])
        timeline.append(row)
        if round(now) % 5 == 0:
            print(json.dumps(row), file=sys.stderr, flush=True)
        if connected_at is None and row["connections"] >= args.agents:
            connected_at = now
            result["connect_s"] = now
            time.sleep(2)
            result["collector_rss_connected_bytes"] = rss(collector.pid)
            result["simulate_rss_connected_bytes"] = sum(rss(sim.pid) for sim in sims)
            result["collector_fds_connected"] = descriptors(collector.pid)
            result["simulate_fds_connected"] = sum(descriptors(sim.pid) for sim in sims)
        if connected_at is not None and connected_at + 2 * args.heartbeat_interval < now < stop_at:
            steady.append(s)  # heartbeats only, everyone connected
        if collector.poll() is not None:
            result["collector_exit"] = collector.returncode
            break
    if connected_at is None:
        result["connect_s"] = None
        result["hellos_reached"] = max((r["hellos"] for r in timeline), default=0)
    report = {"agents": []}
    result["simulate_exit"] = []
    for sim, out in zip(sims, outs):
        sim.wait()
        result["simulate_exit"].append(sim.returncode)
        lines = pipeline.json_lines(out)
        if lines:
            report["agents"] += lines[-1]["agents"]
    last_stats = last()
    result["peak"] = peak
    if steady:
        # Over the last 2 000 stored events at each second of the window (the ring behind
        # latency_p50/p99_ms keeps the connect phase's first heartbeats for minutes).
        for q in ("p50", "p99"):
            values = sorted(x.get(f"latency_recent_{q}_ms") or 0 for x in steady)
            result[f"heartbeat_to_stored_recent_{q}_ms"] = {
                "min": values[0], "median": values[len(values) // 2], "max": values[-1]}
        result["heartbeat_to_stored_p50_ms"] = [min(x.get("latency_p50_ms") or 0 for x in steady),
                                                max(x.get("latency_p50_ms") or 0 for x in steady)]
        result["heartbeat_to_stored_p99_ms"] = [min(x.get("latency_p99_ms") or 0 for x in steady),
                                                max(x.get("latency_p99_ms") or 0 for x in steady)]
    idle = result["collector_rss_idle_bytes"]
    if "collector_rss_connected_bytes" in result:
        result["collector_bytes_per_agent"] = (result["collector_rss_connected_bytes"] - idle) / args.agents
        result["simulate_bytes_per_agent"] = result["simulate_rss_connected_bytes"] / args.agents
    stopped = {a["agent_id"] for a in report.get("agents", []) if a.get("stopped")}
    result["heartbeats_sent"] = sum(a.get("heartbeats", 0) for a in report.get("agents", []))
    result["acknowledged"] = sum(a["acknowledged"] for a in report["agents"])
    result["sent"] = sum(a["sent"] for a in report["agents"])
    result["agents_reported"] = len(report["agents"])
    collector.terminate()
    collector.wait(60)
    # agent_down raised before the simulation's end (afterwards every agent falls silent)
    end_ns = time.time_ns() - int((time.monotonic() - t0 - duration) * 1e9)
    down = downs(store, end_ns)
    result["agent_down_stopped"] = len(down & stopped)
    result["agent_down_missing"] = len(stopped - down)
    result["agent_down_others"] = len(down - stopped)
    result["liveness_events"] = last_stats.get("liveness_events")
    result["load_end"] = os.getloadavg()
    result["work"] = str(work)
    stop_everything(running, store)
    if not args.keep:
        shutil.rmtree(work)
    print(json.dumps(result, indent=1))


def stop_everything(processes, store):
    """Kills what is still running, then stops the store (a cluster this run started), once."""
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    processes.clear()
    if not getattr(store, "stopped", False):
        store.stopped = True
        store.stop()


def downs(store, before_ns):
    """Agents with an agent_down stored whose timestamp is before `before_ns`."""
    key = "agent_id"
    query = f"SELECT DISTINCT {key} FROM events WHERE type = {AGENT_DOWN} AND timestamp_ns < {before_ns}"
    if store.kind == "sqlite":
        import sqlite3
        with sqlite3.connect(f"file:{store.file}?mode=ro", uri=True) as connection:
            return {row[0] if isinstance(row[0], str) else row[0].decode() for row in connection.execute(query)}
    query = ("SELECT DISTINCT convert_from(a.agent_id, 'UTF8') FROM events e JOIN agents a USING (agent_key) "
             f"WHERE e.type = {AGENT_DOWN} AND e.timestamp_ns < {before_ns}")
    out = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-qAt", "-d", store.url, "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


if __name__ == "__main__":
    sys.exit(main())
