#!/usr/bin/python3
"""Pipeline benchmark: N simulated CURVE agents (`chronowatch simulate`, one process) → one or
more collectors on one store (SQLite, or PostgreSQL), on this machine, over loopback.

Phases:
 1. connect: N agents at a trickle; collector RSS idle vs. with N connections → memory per agent.
 2. throughput: N agents at --rate each for --duration s; events/s stored (collector counters,
    sampled every second, over the generation window and the best 5 s).
 3. latency: 10 % of the measured throughput; p50/p99 event timestamp → committed (collector).
 4. failover (with --collectors ≥ 2): one collector SIGKILLed under a moderate load; seconds
    until every agent it had is taken over by (streaming to) another.
 5. gaps: for every agent, stored sequences must be contiguous (max - min + 1 == count); bytes
    per stored event on disk (SQLite file + WAL; PostgreSQL events partitions with indexes).

Usage: bench/pipeline/run.py [--agents 1000] [--rate 250] [--duration 20] [--binary PATH]
                             [--store sqlite|postgres|URL] [--collectors N] [--compare]
--store postgres starts a throwaway PostgreSQL 15 cluster (tests/integration/peers.py's).
--compare runs the SQLite baseline (1 collector) and then --collectors (default 2) on PostgreSQL
in the same invocation and prints both with their ratios.
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
sys.path.insert(0, str(REPO / "tests" / "integration"))  # peers.Postgres: the same throwaway cluster


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


# Failover only when measuring it: under saturation acknowledgements may take longer than a
# short failover_after, and agents moving for that only add resends.
def simulate(cw, work, endpoint, agents, rate, duration, drain=60, failover_after=60):
    simulate.runs = getattr(simulate, "runs", 0) + 1
    argv = [cw, "simulate", "--agents", str(agents), "--rate", str(rate), "--duration", str(duration),
            "--drain", str(drain), "--keys", str(work / "agents"), "--collector", endpoint,
            "--collector-key", str(work / "server" / "collector.pub"), "--json",
            "--failover-after", str(failover_after), *ARGS.simulate_arg]
    return Simulation(argv, work / f"simulate-{simulate.runs}.json")


def wait_stats(stats_file, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = json_lines(stats_file)
        if lines and predicate(lines[-1]):
            return lines[-1]
        time.sleep(0.2)
    raise TimeoutError("collector counters never reached the expected state")


# An ingest server's usual settings (docs/store.md, "Tuning"): a buffer pool that holds the run
# (the default 128 MB made every backend write evicted pages), no checkpoint inside a minute.
PG_SETTINGS = {"shared_buffers": "2GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"}


class Store:
    """Where the collectors store: a SQLite file in the work directory, a PostgreSQL cluster this
    script starts (and stops), or a URL given."""

    def __init__(self, kind, work):
        self.kind, self.cluster = kind, None
        if kind == "sqlite":
            self.url = f"sqlite:{work / 'events.db'}"
            self.file = work / "events.db"
        elif kind == "postgres":
            from peers import Postgres
            settings = {**PG_SETTINGS, **dict(kv.split("=", 1) for kv in ARGS.pg_setting)}
            if ARGS.pg_statements:
                settings["shared_preload_libraries"] = "pg_stat_statements"
            self.cluster = Postgres(settings)
            self.url = self.cluster.create_database("bench")
            if ARGS.pg_statements:
                self.cluster.psql("CREATE EXTENSION pg_stat_statements", "bench")
        else:
            self.url = kind

    def sql(self, query):
        if self.kind == "sqlite":
            with sqlite3.connect(f"file:{self.file}?mode=ro", uri=True) as connection:
                return connection.execute(query).fetchone()[0]
        out = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-qAt", "-d", self.url,
                              "-c", query], check=True, capture_output=True, text=True).stdout
        return int(out.strip() or 0)

    def bytes_on_disk(self):
        if self.kind == "sqlite":
            return sum(p.stat().st_size for p in self.file.parent.glob("events.db*"))
        return self.sql("SELECT sum(pg_total_relation_size(i.inhrelid))::bigint FROM pg_inherits i "
                        "WHERE i.inhparent = 'events'::regclass")

    def cpu_seconds(self):
        """User + system CPU of the cluster's processes (postmaster and its children), now."""
        if not self.cluster:
            return 0.0
        root = self.cluster.process.pid
        total = 0.0
        for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            if pid == root or int(fields[1]) == root:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def wal_counters(self):
        """WAL bytes, full-page images and checkpoints of the cluster so far (pg_stat_wal,
        pg_stat_bgwriter), or None without a cluster of ours."""
        if not self.cluster:
            return None
        row = self.cluster.psql("SELECT w.wal_bytes::bigint, w.wal_fpi, "
                                "b.checkpoints_timed + b.checkpoints_req "
                                "FROM pg_stat_wal w, pg_stat_bgwriter b").split("|")
        return [int(v) for v in row]

    def statements(self, reset=False):
        """--pg-statements: the statements' total time since the last reset, the costliest first."""
        if not (self.cluster and ARGS.pg_statements):
            return None
        if reset:
            self.cluster.psql("SELECT pg_stat_statements_reset()", "bench")
            return None
        rows = self.cluster.psql(
            "SELECT calls, round(total_exec_time)::bigint, round(max_exec_time)::bigint, rows, "
            "wal_bytes::bigint, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
            "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12", "bench")
        keys = ("calls", "total_ms", "max_ms", "rows", "wal_bytes", "query")
        return [dict(zip(keys, line.split("|", 5))) for line in rows.splitlines() if line]

    def stop(self):
        if self.cluster:
            self.cluster.stop()


class Collectors:
    """N collectors on one store, each on its own port, all with the same key pair."""

    def __init__(self, cw, work, store, count):
        self.cw, self.work, self.store = cw, work, store
        self.endpoints = [f"tcp://127.0.0.1:{free_port()}" for _ in range(count)]
        self.processes = [self.start(i) for i in range(count)]

    def start(self, i):
        return subprocess.Popen(
            [self.cw, "collector", "--listen", self.endpoints[i], "--store", self.store.url,
             "--key", str(self.work / "server" / "collector.key"),
             "--authorized-keys", str(self.work / "authorized"),
             "--stats-interval", "0.25", "--json", "--heartbeat-interval", "3600",
             *ARGS.collector_arg],
            stdout=open(self.stats_file(i), "a"), stderr=open(self.work / f"collector-{i}.log", "a"))

    def stats_file(self, i):
        return self.work / f"collector-{i}.jsonl"

    def last(self, i):
        lines = json_lines(self.stats_file(i))
        return lines[-1] if lines else None

    def alive(self):
        return [i for i, p in enumerate(self.processes) if p.poll() is None]

    def total(self, field):
        return sum((self.last(i) or {}).get(field, 0) for i in self.alive())

    def endpoint_list(self):
        return ",".join(self.endpoints)

    def stop(self):
        for p in self.processes:
            if p.poll() is None:
                p.terminate()
        for p in self.processes:
            p.wait(30)


def prepare(cw, agents):
    work = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-pipeline-"))
    subprocess.run([cw, "keygen", "--out", work / "server", "--name", "collector"], check=True,
                   capture_output=True)
    subprocess.run([cw, "simulate", "--agents", str(agents), "--keys", work / "agents",
                    "--duration", "0"], check=True, capture_output=True)
    (work / "authorized").mkdir()
    for pub in (work / "agents").glob("*.pub"):
        shutil.copy(pub, work / "authorized")
    return work


def run_config(args, cw, store_kind, collectors):
    work = prepare(cw, args.agents)
    store = Store(store_kind, work)
    group = Collectors(cw, work, store, collectors)
    result = {"store": store_kind, "collectors": collectors, "load_start": os.getloadavg()}
    try:
        result.update(run_phases(args, cw, work, group, store))
        if collectors >= 2:
            result.update(failover_phase(args, cw, work, group))
    finally:
        group.stop()
    stored = store.sql("SELECT count(*) FROM events")
    result["stored_rows"] = stored
    result["bytes_per_stored_event"] = store.bytes_on_disk() / max(stored, 1)
    result["gaps"] = sequence_gaps(store)
    result["load_end"] = os.getloadavg()
    store.stop()
    if not args.keep:
        shutil.rmtree(work)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=250, help="events/s per agent in phase 2")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--latency-duration", type=float, default=20,
                        help="seconds of the 10 %% load phase")
    parser.add_argument("--collector-arg", action="append", default=[],
                        help="one more argument for each collector (repeat: --collector-arg=--x)")
    parser.add_argument("--simulate-arg", action="append", default=[],
                        help="one more argument for `chronowatch simulate` (repeat: "
                             "--simulate-arg=--partial-window --simulate-arg=1)")
    parser.add_argument("--latency-rate", type=float, default=0,
                        help="events/s per agent: skip the throughput phase, measure latency only")
    parser.add_argument("--store", default="sqlite", help="sqlite, postgres, or a store URL")
    parser.add_argument("--collectors", type=int, default=1)
    parser.add_argument("--pg-statements", action="store_true",
                        help="pg_stat_statements on the cluster: the costliest statements of the "
                             "throughput and latency phases in the output")
    parser.add_argument("--pg-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="one more setting of the PostgreSQL cluster the script starts")
    parser.add_argument("--compare", action="store_true",
                        help="SQLite with 1 collector, then PostgreSQL with --collectors (≥ 2)")
    parser.add_argument("--binary", default=str(REPO / "build" / "src" / "apps" / "chronowatch"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    global ARGS
    ARGS = args = parser.parse_args()
    cw = args.binary
    if not args.compare:
        result = run_config(args, cw, args.store, args.collectors)
        result["cpus"] = os.cpu_count()
        print(json.dumps(result, indent=1))
        return 0
    baseline = run_config(args, cw, "sqlite", 1)
    postgres = run_config(args, cw, "postgres", max(2, args.collectors))
    ratios = {k: postgres[k] / baseline[k] for k in
              ("sustained_events_per_s", "best_5s_events_per_s", "latency_p99_ms",
               "bytes_per_stored_event") if baseline.get(k)}
    print(json.dumps({"sqlite_1_collector": baseline, "postgres": postgres,
                      "postgres_over_sqlite": ratios, "cpus": os.cpu_count()}, indent=1))
    return 0


def cpu_seconds(pid):
    """User + system CPU time of a running process, from /proc/PID/stat."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_phases(args, cw, work, group, store):
    wait_for_all = lambda what, predicate, timeout: wait_until(  # noqa: E731
        lambda: all(group.last(i) and predicate(group.last(i)) for i in group.alive()), timeout, what)
    wait_for_all("first counters", lambda s: True, 20)
    idle = group.total("rss_bytes")
    endpoints = group.endpoint_list()
    pids = [group.processes[i].pid for i in group.alive()]
    # 1. memory per connected agent: a trickle keeps every connection open.
    trickle = simulate(cw, work, endpoints, args.agents, 0.2, 8)
    wait_until(lambda: group.total("connections") >= args.agents, 120, "every agent connected")
    time.sleep(2)
    connected = group.total("rss_bytes")
    trickle.report()
    per_agent = (connected - idle) / args.agents
    if args.latency_rate:  # only the latency phase, at this rate per agent
        return latency_phase(args, cw, work, endpoints, group, args.latency_rate,
                             {"agents": args.agents, "collector_bytes_per_connected_agent": per_agent},
                             store)
    # 2. throughput
    before = group.total("events_stored")
    collector_cpu = sum(cpu_seconds(pid) for pid in pids)
    store_cpu = store.cpu_seconds()
    wal = store.wal_counters()
    store.statements(reset=True)
    t0 = time.monotonic()
    load = simulate(cw, work, endpoints, args.agents, args.rate, args.duration)
    samples = []
    while load.poll() is None:
        time.sleep(1)
        samples.append((time.monotonic(), group.total("events_stored")))
    report = load.report()
    time.sleep(2)  # the next counters line includes the last acknowledged batches
    wait_for_all("queues drained", lambda s: s["events_queued"] == 0, 60)
    stored = group.total("events_stored") - before
    elapsed = time.monotonic() - t0
    collector_cpu = sum(cpu_seconds(pid) for pid in pids) - collector_cpu
    store_cpu = store.cpu_seconds() - store_cpu
    wal_figures = {}
    if wal:
        now = store.wal_counters()
        wal_figures = {"wal_bytes_per_event": (now[0] - wal[0]) / max(stored, 1),
                       "wal_full_page_images_per_1000_events": 1000 * (now[1] - wal[1]) / max(stored, 1),
                       "checkpoints_during_throughput": now[2] - wal[2]}
    load_throughput = os.getloadavg()
    best = 0.0
    for i in range(len(samples)):
        for j in range(i + 5, len(samples)):
            best = max(best, (samples[j][1] - samples[i][1]) / (samples[j][0] - samples[i][0]))
            break
    sustained = stored / max(elapsed, 1e-9)
    # 3. latency at 10 % of the sustained load
    light_rate = max(0.1, 0.1 * sustained / args.agents)
    return latency_phase(args, cw, work, endpoints, group, light_rate, {
        "agents": args.agents,
        "collector_rss_idle_bytes": idle,
        "collector_rss_connected_bytes": connected,
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
        "postgres_cpu_us_per_event": 1e6 * store_cpu / max(stored, 1),
        **wal_figures,
        **({"throughput_statements": store.statements()} if ARGS.pg_statements else {}),
    }, store)


# Each collector's latency percentiles cover its last LATENCY_WINDOW events (the collector's ring).
LATENCY_WINDOW = 100000


def latency_phase(args, cw, work, endpoints, group, light_rate, out, store):
    store.statements(reset=True)
    store_cpu = store.cpu_seconds()
    before = group.total("events_stored")
    # Long enough that every collector's window holds only this phase's events (a margin for
    # agents not spread evenly): a shorter one also measured the tail of the saturated phase
    # before it, seconds of backlog, whenever the sustained rate (so this one) was lower.
    collectors = len(group.alive())
    duration = max(args.latency_duration, 1.3 * LATENCY_WINDOW * collectors / (light_rate * args.agents))
    light = simulate(cw, work, endpoints, args.agents, light_rate, duration)
    light_report = light.report()
    if ARGS.pg_statements:
        out["latency_statements"] = store.statements()
    store_cpu = store.cpu_seconds() - store_cpu
    out["latency_postgres_cpu_us_per_event"] = (
        1e6 * store_cpu / max(group.total("events_stored") - before, 1))
    time.sleep(1.5)
    latencies = [group.last(i) for i in group.alive()]
    return {**out,
        "latency_load_events_per_s": light_rate * args.agents,
        "latency_duration_s": duration,
        "latency_acknowledged": light_report["total_acknowledged"],
        # Each collector's percentiles cover its own last 100,000 events: the worst one is given.
        "latency_p50_ms": max(s["latency_p50_ms"] for s in latencies),
        "latency_p99_ms": max(s["latency_p99_ms"] for s in latencies),
        # By stage: event → read by the ingest thread (the agent's batching and its wait for the
        # batch in flight, the network), and the store transactions.
        "latency_received_p50_ms": max(s.get("latency_received_p50_ms", 0) for s in latencies),
        "latency_received_p99_ms": max(s.get("latency_received_p99_ms", 0) for s in latencies),
        "latency_queued_p50_ms": max(s.get("latency_queued_p50_ms", 0) for s in latencies),
        "latency_queued_p99_ms": max(s.get("latency_queued_p99_ms", 0) for s in latencies),
        "transaction_p50_ms": max(s.get("transaction_p50_ms", 0) for s in latencies),
        "transaction_p99_ms": max(s.get("transaction_p99_ms", 0) for s in latencies),
        "transaction_max_ms": max(s.get("transaction_max_ms", 0) for s in latencies),
        # The simulator's side: event made → its batch sent, and batch sent → acknowledged.
        **{f"agent_{k}": v for k, v in light_report.get("stages", {}).items()},
        "malformed_frames": sum(s["malformed_frames"] for s in latencies),
        "rewinds": sum(s["rewinds"] for s in latencies),
    }


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(what)


def failover_phase(args, cw, work, group):
    """A moderate load (10 %); collector 0 SIGKILLed; time until every agent it had connected
    resumed on another one (their `agents_taken_over` counters), and until the first did."""
    load = simulate(cw, work, group.endpoint_list(), args.agents, max(1.0, 0.1 * args.rate), 15,
                    failover_after=2)
    wait_until(lambda: group.total("connections") >= args.agents, 60, "agents connected")
    time.sleep(3)
    victim = group.last(0)["connections"]
    survivors = [i for i in group.alive() if i != 0]
    taken_before = sum(group.last(i)["agents_taken_over"] for i in survivors)
    group.processes[0].kill()
    killed = time.monotonic()
    group.processes[0].wait()
    first = None
    while time.monotonic() - killed < 30:
        taken = sum((group.last(i) or {}).get("agents_taken_over", 0) for i in survivors) - taken_before
        if taken > 0 and first is None:
            first = time.monotonic() - killed
        if taken >= victim:
            break
        time.sleep(0.05)
    all_moved = time.monotonic() - killed
    report = load.report()
    return {"failover_agents_on_killed": victim, "failover_first_s": first,
            "failover_all_s": all_moved, "failover_stats_interval_s": 0.25,
            "failover_after_s": 2.0, "failover_acknowledged": report["total_acknowledged"],
            "failover_sent": report["total_sent"], "failovers_counted": report["total_failovers"]}


def sequence_gaps(store):
    agent = "agent_id"  # SQLite, and PostgreSQL before schema 4; since, the agent's key
    if store.kind != "sqlite" and store.sql("SELECT count(*) FROM information_schema.columns WHERE "
                                            "table_name = 'events' AND column_name = 'agent_key'"):
        agent = "agent_key"
    return store.sql(
        "SELECT COALESCE(SUM(n), 0) FROM (SELECT MAX(sequence) - MIN(sequence) + 1 - COUNT(*) AS n "
        f"FROM events WHERE sequence < 9223372036854775807 AND sequence >= 0 GROUP BY {agent}) g")


if __name__ == "__main__":
    sys.exit(main())
