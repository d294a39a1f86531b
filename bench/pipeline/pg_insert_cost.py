#!/usr/bin/python3
"""The PostgreSQL server's cost of the ingest INSERT alone: a database made by BEFORE (schema 3:
the binary agent id in the keys) and by AFTER (schema 4: agent_key), and schema 4 without each of
its secondary indexes, on one throwaway cluster with bench/pipeline's settings; in alternated
rounds, 100,000 rows (1,000 agents x 100 consecutive sequences) copied from a temporary table by
pg_store.cpp's plain INSERT … SELECT … ORDER BY agent, sequence. Prints each variant's median,
min and max ms per round and bytes per row on disk, and the load average.

Usage: bench/pipeline/pg_insert_cost.py BEFORE_BINARY AFTER_BINARY ROUNDS
"""
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "integration"))
from peers import Postgres
before, after, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
pg = Postgres({"shared_buffers": "2GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"})
urls = {}
VARIANTS = {"s3": (before, ""), "s4": (after, ""),
            "s4-no-type": (after, "DROP INDEX events_by_type_time"),
            "s4-no-position": (after, "DROP INDEX events_by_position"),
            "s4-no-time": (after, "DROP INDEX events_by_time"),
            "s4-key-only": (after, "DROP INDEX events_by_type_time, events_by_position, events_by_time")}
for name, (cw, extra) in VARIANTS.items():
    urls[name] = pg.create_database(name.replace("-", "_"))
    subprocess.run([cw, "events", "--store", urls[name], "--import", "-"], input="", check=True,
                   capture_output=True, text=True)
    if extra: subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-qAt", "-d", urls[name], "-c", extra], check=True)
    if name != "s3": subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-qAt", "-d", urls[name], "-c", "INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns) SELECT convert_to('sim-' || lpad(i::text, 4, '0'), 'UTF8'), 0, 0, 0 FROM generate_series(1, 1000) i ORDER BY 1"], check=True)
PSQL = "/usr/lib/postgresql/15/bin/psql"
def psql(url, sql):
    return subprocess.run([PSQL, "-X", "-qAt", "-d", url, "-c", sql], check=True, capture_output=True, text=True).stdout
# psql(urls["s4"], "INSERT INTO agents (agent_id, first_seen_ns, last_seen_ns, state_changed_ns) SELECT convert_to('sim-' || lpad(i::text, 4, '0'), 'UTF8'), 0, 0, 0 FROM generate_series(1, 1000) i ORDER BY 1")
now = time.time_ns()
def round_sql(schema, r):
    agent = "convert_to('sim-' || lpad(a::text, 4, '0'), 'UTF8')" if schema == "s3" else "a"
    col = "agent_id bytea" if schema == "s3" else "agent_key integer"
    key = "agent_id" if schema == "s3" else "agent_key"
    ts = f"{now} + {r}::bigint * 1000000000 + s * 10000000 + a"
    return f"""
CREATE TEMP TABLE incoming ({col}, sequence bigint, timestamp_ns bigint, type smallint, severity smallint, payload bytea, ord integer);
INSERT INTO incoming SELECT {agent}, {r} * 100 + s, {ts}, 1, 1, '\\x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627'::bytea, a * 100 + s FROM generate_series(1, 1000) a, generate_series(1, 100) s;
ANALYZE incoming;
SELECT pg_stat_reset_single_table_counters(0) WHERE false;
\\timing on
INSERT INTO events ({key}, sequence, timestamp_ns, type, severity, payload, position) SELECT {key}, sequence, timestamp_ns, type, severity, payload, {r} * 1000000 + ord FROM incoming ORDER BY {key}, sequence;
\\timing off
"""
times = {k: [] for k in VARIANTS}
for r in range(rounds):
    names = list(VARIANTS)
    for schema in (names if r % 2 == 0 else names[::-1]):
        res = subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", urls[schema]], input=round_sql(schema, r),
                             capture_output=True, text=True)
        out = res.stdout
        if res.returncode: print(res.stderr[-500:]); sys.exit(1)
        times[schema].append(float(re.findall(r"Time: ([0-9.]+) ms", out)[-1]))
size = {s: int(psql(u, "SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i WHERE i.inhparent = 'events'::regclass")) for s, u in urls.items()}
rows = {s: int(psql(u, "SELECT count(*) FROM events")) for s, u in urls.items()}
for s in times:
    t = times[s]
    print(f"{s}: INSERT of 100,000 rows: median {statistics.median(t):.0f} ms, min {min(t):.0f}, max {max(t):.0f} "
          f"({statistics.median(t) * 0.01:.2f} us/row median); {size[s] / rows[s]:.0f} bytes/row on disk ({rows[s]} rows)")
print("load", os.getloadavg())
pg.stop()
