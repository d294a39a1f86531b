"""Helpers for the pipeline tests: key directories, a collector on a free port, its JSON counters,
simulate runs, and what the store holds (via `chronowatch events --json`, or the SQLite file
directly while that command is not in this build)."""
import json
import re
import pathlib
import socket
import sqlite3
import subprocess

from peers import Process, chronowatch_binary, free_port, wait_for

CW = chronowatch_binary()


def run(*args, check=True, timeout=120):
    result = subprocess.run([CW, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"chronowatch {' '.join(map(str, args))} exited "
                             f"{result.returncode}: {result.stderr}")
    return result


def json_lines(text):
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return out


def read_key(path):
    for line in pathlib.Path(path).read_text().splitlines():
        token = line.strip()
        if len(token) == 40 and not token.startswith("# "):
            return token.encode()
    raise ValueError(f"no key in {path}")


class Keys:
    """A collector key pair, simulated agents' keys and the collector's allow-list directory."""

    def __init__(self, root, agents=3, prefix="sim"):
        self.root = pathlib.Path(root)
        self.server = self.root / "server"
        self.agents = self.root / "agents"
        self.authorized = self.root / "authorized"
        self.authorized.mkdir(parents=True, exist_ok=True)
        run("keygen", "--out", self.server, "--name", "collector")
        self.authorize(agents, prefix)

    def authorize(self, agents, prefix):
        run("simulate", "--agents", agents, "--prefix", prefix, "--keys", self.agents, "--duration", 0)
        for i in range(1, agents + 1):
            name = f"{prefix}-{i:04d}.pub"
            (self.authorized / name).write_bytes((self.agents / name).read_bytes())


def store_args(store):
    """--store URL for a URL (postgresql:…, sqlite:…) or libpq keywords (host=… dbname=…), else
    --db PATH. (Keywords given as --db made a SQLite file named after them.)"""
    text = str(store)
    url = text.startswith(("postgresql:", "sqlite:")) or re.match(r"\s*(host|dbname|service)=", text)
    return ["--store", text] if url else ["--db", text]


class Collector:
    def __init__(self, keys, db, port=None, extra=(), endpoint=None):
        """endpoint: another --listen than tcp://127.0.0.1:PORT (e.g. ipc://PATH)."""
        self.port = port or free_port(socket.SOCK_STREAM)
        self.endpoint = endpoint or f"tcp://127.0.0.1:{self.port}"
        self.db = db
        self.process = Process([CW, "collector", "--listen", self.endpoint, *store_args(db),
                                "--key", str(keys.server / "collector.key"),
                                "--authorized-keys", str(keys.authorized),
                                "--stats-interval", "0.3", "--json", *extra], name="collector")
        wait_for(lambda: self.stats() is not None or not self.process.alive(), timeout=15,
                 what="collector's first counters")
        assert self.process.alive(), self.process.log()

    def stats(self):
        lines = json_lines(self.process.log())
        return lines[-1] if lines else None

    def stop(self, sig=None):
        import signal
        return self.process.stop(sig or signal.SIGTERM)


def simulate(keys, collector, agents=3, rate=100, duration=2, prefix="sim", drain=30, background=False,
             extra=()):
    """extra: more flags; a `--collector` there replaces `collector`'s endpoint."""
    target = [] if "--collector" in extra else ["--collector", collector.endpoint]
    argv = [CW, "simulate", "--agents", str(agents), "--rate", str(rate), "--duration", str(duration),
            "--drain", str(drain), "--keys", str(keys.agents), "--prefix", prefix, *target,
            "--collector-key", str(keys.server / "collector.pub"), "--json", *extra]
    if background:
        return Process(argv, name="simulate")
    result = subprocess.run(argv, capture_output=True, text=True, timeout=duration + drain + 60)
    return result.returncode, json_lines(result.stdout)[-1]


def stored_events(db):
    """{agent_id: [sequence, ...]} of every stored event (collector-made ones excluded)."""
    result = run("events", *store_args(db), "--json", "--limit", "100000000", check=False)
    rows = []
    if result.returncode == 0:
        rows = [(e["agent_id"], e["sequence"]) for e in json_lines(result.stdout)]
    else:  # `events` not in this build yet: read the store's table
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            rows = connection.execute("SELECT agent_id, sequence FROM events").fetchall()
    out = {}
    for agent, sequence in rows:
        if sequence < 2**63:
            out.setdefault(agent, []).append(sequence)
    return out


def assert_exactly_once(db, report):
    """The store holds each (agent, sequence) the simulation sent exactly once, and nothing else."""
    stored = stored_events(db)
    for agent in report["agents"]:
        sequences = sorted(stored.get(agent["agent_id"], []))
        expected = list(range(agent["first_sequence"], agent["last_sequence"] + 1))
        assert len(sequences) == len(set(sequences)), f"{agent['agent_id']}: duplicates stored"
        in_run = [s for s in sequences if agent["first_sequence"] <= s <= agent["last_sequence"]]
        assert in_run == expected, (f"{agent['agent_id']}: stored {len(in_run)} of "
                                    f"{len(expected)} sequences")


def curve_dealer(keys, collector, name, timeout_ms=3000):
    """A raw agent (pyzmq DEALER, CURVE client) with the key pair `name` of keys.agents."""
    import zmq
    context = zmq.Context.instance()
    socket = context.socket(zmq.DEALER)
    socket.curve_secretkey = read_key(keys.agents / f"{name}.key")
    socket.curve_publickey = read_key(keys.agents / f"{name}.pub")
    socket.curve_serverkey = read_key(keys.server / "collector.pub")
    socket.linger = 0
    socket.rcvtimeo = timeout_ms
    socket.connect(collector.endpoint)
    return socket


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def hello_frame(agent_id, resume_from=1):
    """H envelope + the binary hello of docs/wire-format.md §3 (host "h", no address, version "1")."""
    ident = agent_id.encode()
    return b"H\x01" + _varint(resume_from) + b"\x01\x01" + _varint(len(ident)) + ident + b"\x01h\x00\x011"


def agent_start_batch_frame(sequence, timestamp_ns):
    """B envelope + a one-event batch (§4): agent_start (41), info, no data, at `sequence`."""
    return (b"B\x01" + _varint(sequence) + b"\x01\x02\x01" + timestamp_ns.to_bytes(8, "big")
            + _varint(sequence) + b"\x29\x00\x00\x00")
