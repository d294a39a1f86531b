#!/usr/bin/python3
"""Side-by-side NTS benchmark (RFC 8915): chronowatch serve vs chronyd 4.3, same machine, one run.

Both serve 127.0.0.1 at stratum 2 with NTS (a certificate made here; chronyd with `ntsprocesses 0`
so that its NTS-KE runs in the process we measure), no rate limiting, without CAP_SYS_TIME
(chronyd also with -x). bench/ntp_server's load generator makes one NTS-KE, then floods NTS
requests carrying one cookie and no placeholder (as ntpperf does). It seals a pool of requests per
socket once and resends them (NTS servers keep no replay state; ntpperf resends prepared requests
too), checks every reply's header, origin and unique identifier, and every 16th reply in full
(authenticator under S2C, encrypted cookies): it spends no AEAD per request, so that the server and
not the generator is measured. Its own CPU per response is printed beside the server's ("gen µs"),
and the server's CPU use in the run ("srv %": below 100 % at saturation, the server was not the
bottleneck, e.g. the machine was shared). Figures:
  - NTS responses/s at saturation, ours (one worker thread) and chronyd's; our plain responses/s,
  - server CPU µs per NTS response (utime + stime from /proc/PID/stat),
  - loss at fixed rates of 25 % and 50 % of chronyd's NTS saturation rate,
  - NTS-KE handshakes/s (load generator threads making KEs back to back) and server CPU ms each,
and the ratios against issue 11's targets, with the load average beside every figure.

Run (as root, from the repository, after building chronowatch and ntp_loadgen):
  /usr/bin/python3 bench/ntp_server/compare_nts.py --build build [--seconds 5] [--json]
"""
import argparse
import json
import os
import pathlib
import resource
import shutil
import socket
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from nts_support import ChronydNts, make_certificate, tcp_accepts  # noqa: E402
from peers import Process, free_port, wait_for, without_cap_sys_time  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def load_average():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def loadgen(args, *argv, seconds):
    out = subprocess.run([str(args.loadgen), *map(str, argv), "--seconds", str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase(args, name, pid, argv, seconds, rate=None):
    before, gen_before = cpu_seconds(pid), children_cpu()
    extra = ["--rate", rate, "--sockets", 16, "--paced", 1] if rate else []
    r = loadgen(args, *argv, *extra, seconds=seconds)
    cpu, gen = cpu_seconds(pid) - before, children_cpu() - gen_before
    done = r.get("valid", r.get("handshakes", 0))
    return {"server": name, "what": " ".join(str(a) for a in argv if str(a).startswith("--nts")
                                             or str(a) == "--ke-flood") or "plain",
            "rate": rate or "saturation", "per_s": r.get("responses_per_s", r.get("handshakes_per_s")),
            "loss": r.get("loss"), "invalid": r.get("invalid", r.get("failed")),
            "cpu_us_each": cpu * 1e6 / done if done else None,
            "gen_us_each": gen * 1e6 / done if done else None,
            "server_busy": cpu / r.get("seconds", seconds), "load": load_average(), "raw": r}


def start_ours(args, cert, key):
    port, ke_port = free_port(), free_port(socket.SOCK_STREAM)
    argv = [args.chronowatch, "serve", "--listen", f"127.0.0.1:{port}", "--local-stratum", "2",
            "--upstream", "none", "--rate-interval", "0", "--threads", "1", "--log-level", "warn",
            "--nts-cert", cert, "--nts-key", key, "--nts-ke-listen", f"127.0.0.1:{ke_port}",
            "--nts-ke-rate-interval", "0"]  # the KE flood comes from one address
    process = Process(without_cap_sys_time(argv), name="bench-serve-nts")
    wait_for(lambda: tcp_accepts(ke_port) or not process.alive(), what="our NTS-KE")
    if not process.alive():
        raise RuntimeError(process.log())
    return process, port, ke_port


def measure(args, name, pid, port, ke_port, cert, plain):
    nts = ["--server", f"127.0.0.1:{port}", "--nts-ke", f"127.0.0.1:{ke_port}", "--nts-ca", cert]
    rows = []
    if plain:
        rows.append(phase(args, name, pid, ["--server", f"127.0.0.1:{port}"], args.seconds))
    rows.append(phase(args, name, pid, nts, args.seconds))
    rows.append(phase(args, name, pid, ["--ke-flood", f"127.0.0.1:{ke_port}", "--nts-ca", cert,
                                        "--sockets", args.ke_threads], args.ke_seconds))
    return rows


def ratio(a, b):
    return a / b if a and b else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build"))
    parser.add_argument("--seconds", type=float, default=5, help="each flood")
    parser.add_argument("--rate-seconds", type=float, default=3, help="each fixed-rate run")
    parser.add_argument("--ke-seconds", type=float, default=5, help="each NTS-KE flood")
    parser.add_argument("--ke-threads", type=int, default=2, help="load generator KE threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    build = pathlib.Path(args.build)
    args.chronowatch = str(build / "src" / "apps" / "chronowatch")
    args.loadgen = build / "bench" / "ntp_server" / "ntp_loadgen"
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-nts-"))
    shutil.chown(workdir, "_chrony", "_chrony")
    cert, key = make_certificate(workdir)
    print(f"load average at start: {load_average()} on {os.cpu_count()} cores")
    rows = []
    ours, port, ke_port = start_ours(args, cert, key)
    try:
        rows += measure(args, "chronowatch", ours.pid, port, ke_port, cert, plain=True)
    finally:
        ours.stop()
    with ChronydNts(cert, key) as chronyd:
        rows += measure(args, "chronyd", chronyd.process.pid, chronyd.port, chronyd.ke_port, cert,
                        plain=False)
        chronyd_rate = rows[-2]["per_s"]
        rates = [int(f * chronyd_rate) for f in (0.25, 0.5)]
        nts = ["--server", f"127.0.0.1:{chronyd.port}", "--nts-ke", f"127.0.0.1:{chronyd.ke_port}",
               "--nts-ca", cert]
        for rate in rates:
            rows.append(phase(args, "chronyd", chronyd.process.pid, nts, args.rate_seconds, rate))
    ours, port, ke_port = start_ours(args, cert, key)
    try:
        nts = ["--server", f"127.0.0.1:{port}", "--nts-ke", f"127.0.0.1:{ke_port}", "--nts-ca", cert]
        for rate in rates:
            rows.append(phase(args, "chronowatch", ours.pid, nts, args.rate_seconds, rate))
    finally:
        ours.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{'server':<13}{'what':<34}{'load':>12}{'per s':>10}{'loss':>8}{'cpu µs each':>13}"
          f"{'gen µs':>8}{'srv %':>7}  invalid  load avg")
    for r in rows:
        rate = r["rate"] if r["rate"] == "saturation" else f"{r['rate']}/s"
        loss = f"{100 * r['loss']:.2f}%" if r["loss"] is not None else "-"
        cpu = f"{r['cpu_us_each']:.1f}" if r["cpu_us_each"] else "-"
        gen = f"{r['gen_us_each']:.1f}" if r["gen_us_each"] else "-"
        what = "KE flood" if "ke-flood" in r["what"] else ("NTS" if "nts" in r["what"] else "plain")
        print(f"{r['server']:<13}{what:<34}{rate:>12}{r['per_s']:>10.1f}{loss:>8}{cpu:>13}"
              f"{gen:>8}{100 * r['server_busy']:>6.0f}%  {r['invalid']:>7}  {r['load']}")
    by = {(r["server"], "KE" if "ke-flood" in r["what"] else ("NTS" if "nts" in r["what"] else
                                                              "plain"), str(r["rate"])): r
          for r in rows}
    ours_nts, chrony_nts = by[("chronowatch", "NTS", "saturation")], by[("chronyd", "NTS", "saturation")]
    ours_plain = by[("chronowatch", "plain", "saturation")]
    ours_ke, chrony_ke = by[("chronowatch", "KE", "saturation")], by[("chronyd", "KE", "saturation")]
    print("\nratios                                              target")
    print(f"  NTS responses/s, ours / chronyd        {ratio(ours_nts['per_s'], chrony_nts['per_s']):6.2f}x   >= 1.2x")
    print(f"  NTS / plain responses/s, ours          {ratio(ours_nts['per_s'], ours_plain['per_s']):6.2f}x   >= 0.6x")
    print(f"  CPU per NTS response, ours / chronyd   {ratio(ours_nts['cpu_us_each'], chrony_nts['cpu_us_each']):6.2f}x")
    print(f"  NTS-KE handshakes/s, ours / chronyd    {ratio(ours_ke['per_s'], chrony_ke['per_s']):6.2f}x   >= 1.0x")
    print(f"load average at end: {load_average()} on {os.cpu_count()} cores")
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
