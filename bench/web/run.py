#!/usr/bin/python3
"""Console benchmarks (issue 12), each short, against a real collector on loopback:

 stream  — 100 WebSocket clients (bench_web_stream_clients) while `simulate` sends 10k events/s:
           event timestamp → frame received, p50/p99, beside the collector's own event → stored
           p50/p99 of the same run (their difference is stored → frame).
 events  — GET /api/v1/events with filters over a large store (rows written straight into the
           SQLite file, --rows of them, 10 000 agents): p50/p99 of 200 requests per query, beside
           the same SQL run by Python's sqlite3 on the same file (the floor).
 metrics — GET /metrics with 10 000 agents in the store, all of them down (10 000 firing
           agent_down alerts under the default rules): each of --scrapes scrapes, p50/p99/max.
 paint   — bench/console/first_paint.mjs: the dashboard's first paint with 1 000 simulated agents
           in headless chromium (needs `npm ci` in tests/e2e).
 all     — the four, one after the other, then a table of each figure beside its target.

Usage: bench/web/run.py [stream|events|metrics|paint|all] [--rows 10000000] [--lock FILE]
The events store is filled once into --cache (build/bench-cache) and reused for 7 days. With
--lock, each measurement holds that flock and the filling does not (bench/web/README.md).
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
    started = []  # every collector process, stopped at exit even when a benchmark failed

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
        Setup.started.append(self.process)
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
    with LOCK:
        return measure_stream(args, setup)


def measure_stream(args, setup):
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


def fill(db, rows, agents, down=False):
    """`rows` events (time_drift rows without payload, 1 per second per agent) and `agents` rows
    (`down`: already marked down, so that the collector raises nothing for them when it opens)."""
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
        "last_offset_ns, last_sequence, event_count, up) VALUES (?,?,?,?,?,?,?,?,?)",
        [(f"agent-{a:05d}", f"host-{a}", start, start, start, 150_000_000, 1, 1, 0 if down else 1)
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


def filled_events_db(args, setup):
    """The events store of --rows rows, filled once into --cache and reused while its events are
    recent enough for the collector's retention (14 days raw) to leave them: (path, start ns,
    seconds the fill took, or 0 when it was reused)."""
    cache = pathlib.Path(args.cache)
    db, meta = cache / f"events-{args.rows}.db", cache / f"events-{args.rows}.json"
    if db.exists() and meta.exists():
        start = json.loads(meta.read_text())["start_ns"]
        if time.time() - start / 1e9 < 7 * 86400:
            return db, start, 0
    cache.mkdir(parents=True, exist_ok=True)
    for stale in (db, meta, cache / "web-token"):
        stale.unlink(missing_ok=True)
    setup.collector(str(db))  # creates the schema
    setup.stop()
    t0 = time.monotonic()
    start = fill(str(db), args.rows, 10_000, down=True)
    meta.write_text(json.dumps({"start_ns": start, "rows": args.rows}))
    return db, start, time.monotonic() - t0


def bench_events(args, setup):
    cached, start, filled = filled_events_db(args, setup)
    db = setup.root / "events" / "events.db"
    db.parent.mkdir(parents=True)
    shutil.copyfile(cached, db)  # the collector writes to it (state, retention): a copy each run
    with LOCK:
        return measure_events(args, setup, db, start, filled)


def measure_events(args, setup, db, start, filled):
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
    setup.stop()
    return out


def raised_agent_down(metrics):
    for line in metrics.decode().splitlines():
        if line.startswith('chronowatch_alerts_raised_by_rule_total{rule="agent_down"}'):
            return float(line.split()[-1])
    return 0


def bench_metrics(args, setup):
    """/metrics with 10 000 agents in the store and the default alert rules, args.scrapes times."""
    db = setup.root / "metrics" / "events.db"
    db.parent.mkdir(parents=True)
    setup.collector(str(db))  # creates the schema
    setup.stop()
    fill(str(db), args.metrics_rows, 10_000)
    with LOCK:
        return measure_metrics(args, setup, db)


def measure_metrics(args, setup, db):
    # Every agent last heard 10 minutes ago: the collector declares them all down at its first
    # liveness check, and the default rules hold 10 000 firing agent_down alerts (the case that
    # made the slow scrapes: the alerting thread's work on them, beside the scrape).
    with sqlite3.connect(str(db)) as connection:
        connection.execute("UPDATE agents SET last_seen_ns = ?", ((int(time.time()) - 600) * 10**9,))
    setup.collector(str(db))
    deadline = time.monotonic() + 60
    while raised_agent_down(setup.get("/metrics")) < 10_000:
        if time.monotonic() > deadline:
            raise RuntimeError("the 10 000 agent_down alerts did not open within 60 s")
        time.sleep(0.2)
    setup.get("/metrics")  # the first scrape (page cache, the agents' views) is reported apart
    out = {"agents": 10_000, "rows": args.metrics_rows, "scrapes": args.scrapes,
           "metrics": timed(setup.get, "/metrics", args.scrapes, each=True),
           "metrics_bytes": len(setup.get("/metrics"))}
    setup.stop()
    if args.keep_log:
        shutil.copy(setup.root / "collector.log", args.keep_log)
    return out


def bench_paint(args, setup):
    """bench/console/first_paint.mjs (1 000 simulated agents, headless chromium)."""
    command = ["node", str(REPO / "bench" / "console" / "first_paint.mjs"), "--agents",
               str(args.paint_agents), "--runs", str(args.paint_runs)]
    env = {**os.environ, "CHRONOWATCH": args.binary}
    with LOCK:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(f"first_paint.mjs failed ({done.returncode}): {done.stderr[-2000:]}")
    out = json.loads(done.stdout)
    out.pop("samples", None)
    return out


class Lock:
    """--lock FILE: held for each benchmark's measurement only (not while a store is filled)."""

    def __init__(self, path):
        self.path, self.file, self.before = path, None, None

    def __enter__(self):
        if self.path:
            import fcntl
            self.file = open(self.path, "a")
            fcntl.flock(self.file, fcntl.LOCK_EX)
        self.before = loadavg()  # once the lock is held: the machine the figures were made on
        return self

    def __exit__(self, *exc):
        if self.file:
            self.file.close()
            self.file = None


TARGETS = [  # (benchmark, what, target ms, how to read the figure from its result)
    ("stream", "stored -> WebSocket frame p99, 100 clients, 10k events/s", 100,
     lambda r: r["stored_to_frame_p99_ms"]),
    ("events", "GET /api/v1/events with filters, worst query's p99", 50,
     lambda r: max(q["api"]["p99_ms"] for q in r["queries"].values())),
    ("metrics", "/metrics with 10 000 agents, worst scrape", 100, lambda r: r["metrics"]["max_ms"]),
    ("paint", "dashboard first contentful paint, 1 000 agents (median)", 1000,
     lambda r: r["first_contentful_paint_ms"]),
]


def summary(results):
    print("\nbenchmark  figure (ms)  target (ms)  met  loadavg before / after  what", flush=True)
    for name, what, target, figure in TARGETS:
        if name not in results:
            continue
        r = results[name]
        value = figure(r)
        load = f"{r['loadavg_before'][0]} / {r['loadavg_after'][0]}"
        print(f"{name:<10} {value:>11.1f}  {target:>11}  {'yes' if value <= target else 'NO ':<3}  "
              f"{load:<22}  {what}", flush=True)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="?", default="all", choices=["stream", "events", "metrics", "paint", "all"])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--scrapes", type=int, default=100)
    parser.add_argument("--paint-agents", type=int, default=1000)
    parser.add_argument("--paint-runs", type=int, default=5)
    parser.add_argument("--cache", default=str(REPO / "build" / "bench-cache"),
                        help="where the filled events store is kept between runs")
    parser.add_argument("--lock", help="a file to flock around each measurement "
                        "(e.g. /work/wt/bench.lock), released while a store is filled")
    parser.add_argument("--metrics-rows", type=int, default=200_000)
    parser.add_argument("--keep-log", help="copy the collector's log of the metrics run here")
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
    global LOCK
    LOCK = Lock(args.lock)
    root = tempfile.mkdtemp(prefix="cw-bench-web-")
    results = {}
    try:
        for name, bench in (("stream", bench_stream), ("events", bench_events),
                            ("metrics", bench_metrics), ("paint", bench_paint)):
            if args.which in (name, "all"):
                result = bench(args, Setup(args.binary, pathlib.Path(root) / name))
                after = loadavg()
                if isinstance(result.get("loadavg_before"), str):  # first_paint.mjs's own
                    result["loadavg_before"] = result["loadavg_before"].split()[:3]
                    after = result.pop("loadavg_after").split()[:3]
                result.setdefault("loadavg_before", LOCK.before)
                results[name] = {"bench": name, **result, "loadavg_after": after}
                print(json.dumps(results[name]), flush=True)
        summary(results)
    finally:
        for process in Setup.started:
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
