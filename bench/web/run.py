#!/usr/bin/python3
"""Console benchmarks (issue 12), each short, against a real collector on loopback:

 stream  — 100 WebSocket clients (bench_web_stream_clients) while `simulate` sends 10k events/s:
           event timestamp → frame received, p50/p99, beside the collector's own event → stored
           p50/p99 of the same run (their difference is stored → frame).
 events  — GET /api/v1/events with filters over a large store (rows written straight into the
           SQLite file, --rows of them, 10 000 agents): p50/p99 of 200 requests per query, beside
           the same SQL run by Python's sqlite3 on the same file (the floor).
 metrics — GET /metrics with 10 000 agents in the store: p50/p99 of 50 scrapes.

Usage: bench/web/run.py [stream|events|metrics|all] [--rows 2000000] [--binary PATH]
Prints one JSON object per benchmark, with the load average before and after.
"""
import argparse
import json
import os
import pathlib
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))


def loadavg():
    return pathlib.Path("/proc/loadavg").read_text().split()[:3]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quantiles(samples):
    samples = sorted(samples)
    return {"p50_ms": round(samples[len(samples) // 2] * 1e3, 2),
            "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e3, 2),
            "max_ms": round(samples[-1] * 1e3, 2)}


class Setup:
    def __init__(self, binary, root):
        self.binary, self.root = binary, pathlib.Path(root)
        self.keys = self.root / "keys"
        subprocess.run([binary, "keygen", "--out", self.keys / "server", "--name", "collector"],
                       check=True, capture_output=True)
        (self.keys / "authorized").mkdir(parents=True, exist_ok=True)

    def authorize(self, agents):
        subprocess.run([self.binary, "simulate", "--agents", str(agents), "--keys",
                        self.keys / "agents", "--duration", "0"], check=True, capture_output=True)
        for key in (self.keys / "agents").glob("*.pub"):
            shutil.copy(key, self.keys / "authorized" / key.name)

    def collector(self, db):
        self.zmq, self.http = free_port(), free_port()
        self.log = open(self.root / "collector.log", "w")
        self.process = subprocess.Popen(
            [self.binary, "collector", "--listen", f"tcp://127.0.0.1:{self.zmq}", "--db", db,
             "--key", self.keys / "server" / "collector.key", "--authorized-keys",
             self.keys / "authorized", "--http", f"127.0.0.1:{self.http}", "--json",
             "--stats-interval", "1", *ARGS.collector_arg], stdout=self.log,
            stderr=subprocess.STDOUT)
        token_file = pathlib.Path(db).parent / "web-token"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if token_file.exists() and self.get("/healthz", None, check=False):
                break
            time.sleep(0.1)
        self.token = token_file.read_text().strip()

    def get(self, path, token="default", check=True, timeout=30):
        request = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}")
        if token:
            request.add_header("Authorization", f"Bearer {self.token if token == 'default' else token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except OSError:
            if check:
                raise
            return None

    def stop(self):
        self.process.terminate()
        self.process.wait(120)
        self.log.close()


def bench_stream(args, setup):
    setup.authorize(args.agents)
    setup.collector(str(setup.root / "stream" / "events.db"))
    clients = subprocess.Popen([args.clients_binary, str(setup.http), setup.token, str(args.clients),
                                str(args.duration + 8)], stdout=subprocess.PIPE, text=True)
    time.sleep(2)  # the clients connect before the load starts (their stderr says so)
    simulate = subprocess.run(
        [setup.binary, "simulate", "--agents", str(args.agents), "--rate",
         str(args.events_per_second // args.agents), "--duration",
         str(args.duration), "--drain", "10", "--keys", setup.keys / "agents", "--collector",
         f"tcp://127.0.0.1:{setup.zmq}", "--collector-key",
         setup.keys / "server" / "collector.pub", "--json"], capture_output=True, text=True)
    out = json.loads(clients.communicate()[0])
    stats = json.loads(setup.get("/api/v1/stats", timeout=300))
    setup.stop()
    out.update(events_stored=stats["events_stored"],
               collector_event_to_stored_p50_ms=stats["latency_p50_ms"],
               collector_event_to_stored_p99_ms=stats["latency_p99_ms"],
               slow_disconnects=stats["web"]["stream_slow_disconnects"],
               handover_dropped=stats["web"]["handover_dropped"],
               simulate_exit=simulate.returncode)
    return out


def fill(db, rows, agents):
    """`rows` events (time_drift rows without payload, 1 per second per agent) and `agents` rows."""
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    # Recent (ending a minute ago): older rows would be moved out by the collector's retention.
    start = (int(time.time()) - rows // agents - 60) * 10**9
    batch = []
    for i in range(rows):
        agent = f"agent-{i % agents:05d}"
        t = start + (i // agents) * 10**9 + (i % agents) * 1000
        severity = 3 if i % 50 == 0 else 1
        kind = 20 if i % 50 == 0 else 1
        batch.append((agent, i // agents + 1, t, kind, severity, b""))
        if len(batch) == 100_000:
            connection.executemany("INSERT INTO events (agent_id, sequence, timestamp_ns, type, "
                                   "severity, payload) VALUES (?,?,?,?,?,?)", batch)
            batch = []
    if batch:
        connection.executemany("INSERT INTO events (agent_id, sequence, timestamp_ns, type, "
                               "severity, payload) VALUES (?,?,?,?,?,?)", batch)
    connection.executemany(
        "INSERT INTO agents (agent_id, hostname, first_seen_ns, last_seen_ns, state_changed_ns, "
        "last_offset_ns, last_sequence, event_count) VALUES (?,?,?,?,?,?,?,?)",
        [(f"agent-{a:05d}", f"host-{a}", start, start, start, 150_000_000, 1, 1)
         for a in range(agents)])
    connection.commit()
    # Into the database file: a WAL of several GB slows every read (sqlite3WalFindFrame) and the
    # collector's close, which would checkpoint it.
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return start


def timed(get, path, n, each=False):
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        get(path)
        samples.append(time.perf_counter() - t0)
    out = quantiles(samples)
    if each:  # in order: an outlier's place says whether it is the first scrape or a later one
        out["each_ms"] = [round(s * 1e3, 1) for s in samples]
    return out


def bench_events(args, setup):
    db = setup.root / "events" / "events.db"
    db.parent.mkdir(parents=True)
    setup.collector(str(db))  # creates the schema
    setup.stop()
    t0 = time.monotonic()
    start = fill(str(db), args.rows, 10_000)
    filled = time.monotonic() - t0
    t0 = time.monotonic()
    setup.collector(str(db))
    out_start = time.monotonic() - t0
    mid = start + (args.rows // 10_000 // 2) * 10**9
    queries = {
        "newest_100": "/api/v1/events?limit=100",
        "agent_newest_100": "/api/v1/events?agent=agent-04242&limit=100",
        "agent_type_newest_100": "/api/v1/events?agent=agent-04242&type=time_drift&limit=100",
        "type_severity_window": f"/api/v1/events?type=port_scan&severity=high&since={mid // 10**9}"
                                f"&until={mid // 10**9 + 3600}&limit=100",
        "agent_window_asc": f"/api/v1/events?agent=agent-00007&since={mid // 10**9}&order=asc"
                            f"&limit=100",
    }
    floor_sql = {
        "newest_100": ("SELECT * FROM events ORDER BY timestamp_ns DESC, agent_id DESC, "
                       "sequence DESC LIMIT 100", ()),
        "agent_newest_100": ("SELECT * FROM events WHERE agent_id=? ORDER BY timestamp_ns DESC, "
                             "agent_id DESC, sequence DESC LIMIT 100", ("agent-04242",)),
        "agent_type_newest_100": ("SELECT * FROM events WHERE agent_id=? AND +type=1 ORDER BY "
                                  "timestamp_ns DESC, agent_id DESC, sequence DESC LIMIT 100",
                                  ("agent-04242",)),
        "type_severity_window": ("SELECT * FROM events WHERE timestamp_ns>=? AND timestamp_ns<? "
                                 "AND type=20 AND severity>=3 ORDER BY timestamp_ns DESC, "
                                 "agent_id DESC, sequence DESC LIMIT 100",
                                 (mid, mid + 3600 * 10**9)),
        "agent_window_asc": ("SELECT * FROM events WHERE timestamp_ns>=? AND agent_id=? ORDER BY "
                             "timestamp_ns, agent_id, sequence LIMIT 100", (mid, "agent-00007")),
    }
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = {"rows": args.rows, "agents": 10_000, "fill_seconds": round(filled, 1),
           "console_start_seconds": round(out_start, 1), "queries": {}}
    for name, path in queries.items():
        sql, params = floor_sql[name]
        floor = []
        for _ in range(200):
            t = time.perf_counter()
            connection.execute(sql, params).fetchall()
            floor.append(time.perf_counter() - t)
        out["queries"][name] = {"api": timed(setup.get, path, 200), "sqlite3_floor": quantiles(floor)}
    out["metrics_10000_agents"] = timed(setup.get, "/metrics", 50, each=True)
    out["metrics_bytes"] = len(setup.get("/metrics"))
    setup.stop()
    return out


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="?", default="all", choices=["stream", "events", "all"])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--events-per-second", type=int, default=10_000)
    parser.add_argument("--binary", default=str(REPO / "build" / "src" / "apps" / "chronowatch"))
    parser.add_argument("--collector-arg", action="append", default=[],
                        help="one more argument for the collector (repeat: --collector-arg=--x)")
    parser.add_argument("--clients-binary",
                        default=str(REPO / "build" / "bench" / "web" / "bench_web_stream_clients"))
    ARGS = args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="cw-bench-web-")
    try:
        for name, bench in (("stream", bench_stream), ("events", bench_events)):
            if args.which in (name, "all"):
                before = loadavg()
                result = bench(args, Setup(args.binary, pathlib.Path(root) / name))
                print(json.dumps({"bench": name, **result, "loadavg_before": before,
                                  "loadavg_after": loadavg()}), flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
