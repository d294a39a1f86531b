#!/usr/bin/python3
"""Side-by-side benchmark of the NTP client path (`chronowatch query`, ntp::Source on the
SourceDriver), in one run: each binary given with --binary (the first is the baseline) and
chronyd's one-shot client (`chronyd -Q`, 1 server) as the peer, all against one chronyd serving 127.0.0.1 (stratum 2, no rate limit,
without CAP_SYS_TIME, -x).

For each client it runs --runs one-shot queries and reports, per query: wall time (exec to exit),
CPU time (utime+stime of the child) and the offset it printed. chronowatch asks three targets (the
same chronyd three times, so three sources share the loop) for --samples samples each, 10 ms
apart; chronyd -Q asks one server for as many samples at its own iburst spacing. Ratios are against the first --binary. The load average is printed with
every row, since the machine is shared.

Usage: /usr/bin/python3 bench/query/compare.py --binary OLD --binary NEW [--runs 30] [--samples 4]
"""
import argparse
import json
import re
import pathlib
import resource
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from peers import Chronyd  # noqa: E402


def loadavg():
    return pathlib.Path("/proc/loadavg").read_text().split()[0]


def timed(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


def chronowatch_query(binary, port, samples):
    target = f"127.0.0.1:{port}"
    argv = [binary, "query", "--json", "--samples", str(samples), "--interval", "0.01",
            "--timeout", "1", target, target, target]
    done, wall, cpu = timed(argv)
    if done.returncode != 0:
        raise SystemExit(f"{binary} query failed ({done.returncode}): {done.stderr}")
    return wall, cpu, json.loads(done.stdout)["offset"]


def chronyd_query(port, samples):
    """chronyd -Q: measure and print the offset, never set the clock (and -x, CAP_SYS_TIME dropped)."""
    directive = (f"server 127.0.0.1 port {port} iburst minpoll -6 maxpoll -6 "
                 f"maxsamples {samples}")
    done, wall, cpu = timed(["capsh", "--drop=cap_sys_time", "--", "-c",
                             f"exec chronyd -x -Q -L 0 -u _chrony '{directive}'"])
    if done.returncode != 0:
        raise SystemExit(f"chronyd -Q failed ({done.returncode}): {done.stderr}")
    found = re.search(r"wrong by (-?[0-9.]+) seconds", done.stderr)
    return wall, cpu, float(found.group(1)) if found else None


def row(name, runs, baseline=None):
    wall = statistics.median(r[0] for r in runs) * 1000
    cpu = statistics.median(r[1] for r in runs) * 1000
    offsets = [abs(r[2]) for r in runs if r[2] is not None]
    off = f"{statistics.median(offsets) * 1e6:8.1f}" if offsets else "       -"
    ratio = ""
    if baseline:
        ratio = f"  wall x{wall / baseline[0]:.3f}  cpu x{cpu / baseline[1]:.3f}"
    print(f"{name:<48} wall {wall:7.2f} ms  cpu {cpu:6.2f} ms  |offset| {off} us  "
          f"load {loadavg()}{ratio}")
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", action="append", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=4)
    args = parser.parse_args()
    with Chronyd() as chronyd:
        results = {b: [] for b in args.binary}
        for _ in range(args.runs):  # interleaved, so that load changes hit every binary alike
            for binary in args.binary:
                results[binary].append(chronowatch_query(binary, chronyd.port, args.samples))
        print(f"chronyd on 127.0.0.1:{chronyd.port}; {args.runs} runs each, interleaved; "
              f"3 targets x {args.samples} samples, 10 ms apart")
        baseline = None
        for binary in args.binary:
            figures = row(binary, results[binary], baseline)
            baseline = baseline or figures
        # The peer: chronyd's own one-shot client, one server, the same number of samples.
        peer = [chronyd_query(chronyd.port, args.samples) for _ in range(args.runs)]
        row(f"chronyd -Q (1 server x {args.samples} samples)", peer, baseline)


if __name__ == "__main__":
    main()
