#!/usr/bin/python3
"""Side-by-side benchmark: chronowatch serve vs chronyd on the same machine, in one run.

Both serve 127.0.0.1 at `local stratum 2` with no rate limiting, without CAP_SYS_TIME (chronyd
also with -x), with the same keyfile. For each server, plain and with an AES128-CMAC key, it
measures with bench/ntp_server's load generator (which validates every reply):
  - responses/s at saturation (flood mode, closed loop),
  - loss at fixed rates (open loop),
  - server CPU µs per response (utime+stime of the server process from /proc/PID/stat),
  - the server-side processing time T3 − T2 (p50/p99) read from the replies at a moderate rate,
and prints the ratios against the targets of issue 3.

Run (as root, from the repository, after building):
  /usr/bin/python3 bench/ntp_server/compare.py --build build [--seconds 5] [--threads 1] [--json]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from peers import Chronyd, Process, free_port, wait_for, without_cap_sys_time  # noqa: E402

AES_KEY = "AES128 HEX:000102030405060708090a0b0c0d0e0f"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def loadgen(binary, port, seconds, rate=0, key=False, keyfile=None):
    argv = [str(binary), "--server", f"127.0.0.1:{port}", "--seconds", str(seconds)]
    if rate:
        argv += ["--rate", str(rate), "--sockets", "16"]
    if key:
        argv += ["--keyfile", keyfile, "--key", "1"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(name, pid, port, args, key):
    """All the figures for one server in one authentication mode."""
    result = {"server": name, "auth": "AES128" if key else "none"}
    before = cpu_seconds(pid)
    flood = loadgen(args.loadgen, port, args.seconds, key=key, keyfile=args.keyfile)
    cpu = cpu_seconds(pid) - before
    result["responses_per_s"] = flood["responses_per_s"]
    result["invalid"] = flood["invalid"]
    result["cpu_us_per_response"] = cpu * 1e6 / flood["valid"] if flood["valid"] else None
    result["loss"] = {}
    for rate in args.rates:
        r = loadgen(args.loadgen, port, args.rate_seconds, rate=rate, key=key, keyfile=args.keyfile)
        result["loss"][rate] = r["loss"]
        result.setdefault("sent_per_s", {})[rate] = r["sent"] / r["seconds"]  # what the generator managed
        result["invalid"] += r["invalid"]
    latency = loadgen(args.loadgen, port, args.rate_seconds, rate=args.latency_rate, key=key,
                      keyfile=args.keyfile)
    result["t3_t2_p50_us"] = latency["t3_t2_ns"]["p50"] / 1000
    result["t3_t2_p99_us"] = latency["t3_t2_ns"]["p99"] / 1000
    return result


def start_ours(args, port):
    argv = [args.chronowatch, "serve", "--listen", f"127.0.0.1:{port}", "--local-stratum", "2",
            "--upstream", "none", "--rate-interval", "0", "--threads", str(args.threads),
            "--keyfile", args.keyfile, "--log-level", "warn"]
    process = Process(without_cap_sys_time(argv), name="bench-serve")
    time.sleep(0.5)
    if not process.alive():
        raise RuntimeError("chronowatch serve exited:\n" + process.log())
    return process


def ratio(a, b):
    return a / b if a and b else float("nan")


def report(rows, args):
    print(f"\n{'server':<12}{'auth':<8}{'resp/s':>10}{'cpu µs/resp':>13}{'T3-T2 p50':>11}{'p99 µs':>9}  loss at "
          + ", ".join(f"{r}/s" for r in args.rates))
    for r in rows:
        cpu = r["cpu_us_per_response"]
        loss = ", ".join(f"{100 * r['loss'][x]:.2f}% (sent {r['sent_per_s'][x] / 1000:.0f}k/s)" for x in args.rates)
        print(f"{r['server']:<12}{r['auth']:<8}{r['responses_per_s']:>10.0f}{cpu if cpu else 0:>13.2f}"
              f"{r['t3_t2_p50_us']:>11.1f}{r['t3_t2_p99_us']:>9.1f}  {loss}   invalid {r['invalid']}")
    by = {(r["server"], r["auth"]): r for r in rows}
    ours, chrony = by[("chronowatch", "none")], by[("chronyd", "none")]
    ours_k, chrony_k = by[("chronowatch", "AES128")], by[("chronyd", "AES128")]
    print("\nratios (chronowatch / chronyd)          target")
    print(f"  responses/s            {ratio(ours['responses_per_s'], chrony['responses_per_s']):6.2f}x   >= 1.5x")
    print(f"  CPU per response       {ratio(ours['cpu_us_per_response'], chrony['cpu_us_per_response']):6.2f}x   <= 0.7x")
    print(f"  responses/s, AES128    {ratio(ours_k['responses_per_s'], chrony_k['responses_per_s']):6.2f}x   >= 1.3x")
    print(f"  p99 T3-T2 (ours)       {ours['t3_t2_p99_us']:6.1f} µs  <= 5 µs")
    print(f"load average during the run: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build"), help="build directory (default: build)")
    parser.add_argument("--seconds", type=float, default=5, help="flood duration per measurement")
    parser.add_argument("--rate-seconds", type=float, default=3, help="duration of each fixed-rate run")
    parser.add_argument("--rates", type=int, nargs="+", default=[50000, 100000, 150000])
    parser.add_argument("--latency-rate", type=int, default=10000, help="rate for the T3-T2 distribution")
    parser.add_argument("--threads", type=int, default=1, help="chronowatch serve worker threads")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    build = pathlib.Path(args.build)
    args.chronowatch = str(build / "src" / "apps" / "chronowatch")
    args.loadgen = build / "bench" / "ntp_server" / "ntp_loadgen"
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-"))
    args.keyfile = str(workdir / "bench.keys")
    pathlib.Path(args.keyfile).write_text(f"1 {AES_KEY}\n")
    os.chmod(args.keyfile, 0o600)

    rows = []
    ours_port = free_port()
    ours = start_ours(args, ours_port)
    chronyd = Chronyd(stratum=2, keys={1: AES_KEY})
    try:
        for key in (False, True):
            rows.append(measure("chronowatch", ours.pid, ours_port, args, key))
            rows.append(measure("chronyd", chronyd.process.pid, chronyd.port, args, key))
    finally:
        ours.stop()
        chronyd.stop()
    report(rows, args)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
