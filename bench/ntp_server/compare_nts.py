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

Beside them, a bare UDP echo responder (echo_responder.cpp) gives the machine's limit for plain
responses. All servers stay up for the whole run and are measured in `--rounds` interleaved rounds
(the same order each round); the ratios are of the medians, measured (responses/s of the run) and
server-bound (the inverse ratio of CPU µs per response). Both NTS-KE servers use one ECDSA P-256
certificate; what a stock OpenSSL client negotiates with each (suite, group) is printed.

Run (as root, from the repository, after building chronowatch, ntp_loadgen and echo_responder):
  /usr/bin/python3 bench/ntp_server/compare_nts.py --build build [--rounds 3] [--seconds 2] [--json]
With --baseline BINARY (a chronowatch built before a change), that one is measured too, as
"baseline", in the same interleaved rounds: before and after in one run.
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
                                             or str(a) in ("--ke-flood", "--pad")) or "plain",
            "rate": rate or "saturation", "per_s": r.get("responses_per_s", r.get("handshakes_per_s")),
            "loss": r.get("loss"), "invalid": r.get("invalid", r.get("failed")),
            "cpu_us_each": cpu * 1e6 / done if done else None,
            "gen_us_each": gen * 1e6 / done if done else None,
            "server_busy": cpu / r.get("seconds", seconds), "load": load_average(), "raw": r}


def start_ours(args, cert, key, binary=None):
    port, ke_port = free_port(), free_port(socket.SOCK_STREAM)
    argv = [binary or args.chronowatch, "serve", "--listen", f"127.0.0.1:{port}", "--local-stratum", "2",
            "--upstream", "none", "--rate-interval", "0", "--threads", "1", "--log-level", "warn",
            "--nts-cert", cert, "--nts-key", key, "--nts-ke-listen", f"127.0.0.1:{ke_port}",
            "--nts-ke-rate-interval", "0"]  # the KE flood comes from one address
    process = Process(without_cap_sys_time(argv), name="bench-serve-nts")
    wait_for(lambda: tcp_accepts(ke_port) or not process.alive(), what="our NTS-KE")
    if not process.alive():
        raise RuntimeError(process.log())
    return process, port, ke_port


def start_echo(args):
    """The machine's limit: a bare batched UDP echo (bench/ntp_server/echo_responder.cpp)."""
    port = free_port()
    echo = Process([str(args.echo_responder), "--listen", f"127.0.0.1:{port}"], name="bench-echo")
    wait_for(lambda: udp_answers(port) or not echo.alive(), what="the echo responder")
    if not echo.alive():
        raise RuntimeError("echo_responder exited:\n" + echo.log())
    return echo, port


def udp_answers(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        s.sendto(b"\x23" + bytes(47), ("127.0.0.1", port))
        try:
            return len(s.recv(64)) == 48
        except OSError:
            return False


def tls_parameters(ke_port, cert):
    """What a stock OpenSSL client negotiates with an NTS-KE server: TLS suite and ECDHE group."""
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{ke_port}", "-alpn",
                          "ntske/1", "-CAfile", str(cert), "-brief"], input="", text=True,
                         capture_output=True, timeout=10)
    found = {}
    for line in (out.stdout + out.stderr).splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("Ciphersuite", "Peer signature type", "Server Temp Key"):
            found[key.strip()] = value.strip()
    return ", ".join(f"{k} {v}" for k, v in found.items()) or "(openssl s_client failed)"


def flood_argv(port, ke_port, cert, nts):
    argv = ["--server", f"127.0.0.1:{port}"]
    return argv + ["--nts-ke", f"127.0.0.1:{ke_port}", "--nts-ca", cert] if nts else argv


def one_round(args, servers, cert):
    """One pass over every (server, what), in the same order each round."""
    rows = []
    for name, pid, port, ke_port in servers:
        rows.append(phase(args, name, pid, flood_argv(port, ke_port, cert, False), args.seconds))
        if not ke_port:  # the echo: also datagrams of an NTS request's size, both ways
            rows.append(phase(args, name, pid, flood_argv(port, ke_port, cert, False) + NTS_SIZED,
                              args.seconds))
        if ke_port:
            rows.append(phase(args, name, pid, flood_argv(port, ke_port, cert, True),
                              args.seconds))
            rows.append(phase(args, name, pid, flood_argv(port, ke_port, cert, True) + DISTINCT,
                              args.seconds))
    for name, pid, _, ke_port in servers:
        if ke_port:
            rows.append(phase(args, name, pid, ["--ke-flood", f"127.0.0.1:{ke_port}", "--nts-ca",
                                                cert, "--sockets", args.ke_threads],
                              args.ke_seconds))
    return rows


# Plain requests padded (one ignored extension field) to the loadgen's NTS requests' 232 bytes:
# header 48, unique identifier 36, cookie field 108, authenticator 40. The echo answers each at
# its own length: the kernel's UDP path for NTS-sized datagrams, without any NTS work.
NTS_SIZED = ["--pad", 184]


# Every request in flight with its own cookie (32 sockets x 128 pooled requests, 4096 cookies):
# what real clients send (each cookie used once), and what a cache of opened cookies cannot answer.
DISTINCT = ["--nts-pool", 128, "--nts-cookies", 4096]


def kind(row):
    if "ke-flood" in row["what"]:
        return "KE"
    if "nts-cookies" in row["what"]:
        return "NTS-d"
    if "pad" in row["what"]:
        return "232 B"
    return "NTS" if "nts" in row["what"] else "plain"


def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def medians(rows):
    """(server, kind, rate) → the median per s and CPU µs each over the rounds."""
    groups = {}
    for r in rows:
        groups.setdefault((r["server"], kind(r), str(r["rate"])), []).append(r)
    return {key: {"per_s": median([r["per_s"] for r in g]),
                  "cpu_us_each": median([r["cpu_us_each"] for r in g]), "n": len(g)}
            for key, g in groups.items()}


def ratio(a, b):
    return a / b if a and b else float("nan")


def print_rows(rows):
    print(f"\n{'round':<6}{'server':<13}{'what':<7}{'load':>12}{'per s':>11}{'loss':>8}"
          f"{'cpu µs each':>13}{'1 core /s':>11}{'gen µs':>8}{'srv %':>7}  invalid  load avg")
    for r in rows:
        rate = r["rate"] if r["rate"] == "saturation" else f"{r['rate']}/s"
        loss = f"{100 * r['loss']:.2f}%" if r["loss"] is not None else "-"
        cpu = f"{r['cpu_us_each']:.1f}" if r["cpu_us_each"] else "-"
        core = f"{1e6 / r['cpu_us_each']:.0f}" if r["cpu_us_each"] else "-"
        gen = f"{r['gen_us_each']:.1f}" if r["gen_us_each"] else "-"
        print(f"{r.get('round', '-'):<6}{r['server']:<13}{kind(r):<7}{rate:>12}{r['per_s']:>11.1f}"
              f"{loss:>8}{cpu:>13}{core:>11}{gen:>8}{100 * r['server_busy']:>6.0f}%  "
              f"{r['invalid']:>7}  {r['load']}")


def print_ratios(m):
    def get(server, what):
        return m.get((server, what, "saturation"), {})

    ours_nts, chrony_nts = get("chronowatch", "NTS"), get("chronyd", "NTS")
    ours_plain, echo = get("chronowatch", "plain"), get("bare echo", "plain")
    ours_ke, chrony_ke = get("chronowatch", "KE"), get("chronyd", "KE")
    ours_d, chrony_d = get("chronowatch", "NTS-d"), get("chronyd", "NTS-d")
    print("\nmedians over the rounds        per s (ours / peer)       CPU µs each (ours / peer)")
    for label, a, b in (("NTS, chronyd", ours_nts, chrony_nts),
                        ("NTS-d, chronyd", ours_d, chrony_d),
                        ("NTS-d, our plain", ours_d, ours_plain),
                        ("plain, chronyd", ours_plain, get("chronyd", "plain")),
                        ("NTS, our plain", ours_nts, ours_plain),
                        ("plain, bare echo", ours_plain, echo),
                        ("NTS, bare echo of 232 B", ours_nts, get("bare echo", "232 B")),
                        ("bare echo: 232 B, 48 B", get("bare echo", "232 B"), echo),
                        ("KE, chronyd", ours_ke, chrony_ke),
                        ("NTS, baseline", ours_nts, get("baseline", "NTS")),
                        ("NTS-d, baseline", ours_d, get("baseline", "NTS-d")),
                        ("plain, baseline", ours_plain, get("baseline", "plain"))):
        print(f"  {label:<28}{a.get('per_s') or 0:>10.1f} / {b.get('per_s') or 0:<10.1f}"
              f"{a.get('cpu_us_each') or 0:>9.1f} / {b.get('cpu_us_each') or 0:.1f}")
    per_s, cpu = "per_s", "cpu_us_each"
    print("\nratios (medians)                          measured   server-bound (CPU)   target")
    for label, a, b, target in (
            ("NTS responses/s, ours / chronyd", ours_nts, chrony_nts, ">= 1.2x"),
            ("NTS / plain responses/s, ours", ours_nts, ours_plain, ">= 0.6x"),
            ("NTS-d responses/s, ours / chronyd", ours_d, chrony_d, "(>= 1.2x)"),
            ("NTS-d / plain responses/s, ours", ours_d, ours_plain, "(>= 0.6x)"),
            ("plain responses/s, ours / bare echo", ours_plain, echo, ""),
            ("NTS, ours / bare echo of 232 B", ours_nts, get("bare echo", "232 B"), ""),
            ("NTS-KE handshakes/s, ours / chronyd", ours_ke, chrony_ke, ">= 1.0x"),
            ("NTS responses/s, ours / baseline", ours_nts, get("baseline", "NTS"), ""),
            ("NTS-d responses/s, ours / baseline", ours_d, get("baseline", "NTS-d"), ""),
            ("NTS / plain, baseline", get("baseline", "NTS"), get("baseline", "plain"), "")):
        measured = ratio(a.get(per_s), b.get(per_s))
        bound = ratio(b.get(cpu), a.get(cpu))
        print(f"  {label:<40}{measured:>7.2f}x {bound:>14.2f}x      {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build"))
    parser.add_argument("--seconds", type=float, default=2, help="each flood")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--rate-seconds", type=float, default=2, help="each fixed-rate run")
    parser.add_argument("--ke-seconds", type=float, default=2, help="each NTS-KE flood")
    parser.add_argument("--ke-threads", type=int, default=2, help="load generator KE threads")
    parser.add_argument("--baseline", metavar="CHRONOWATCH",
                        help="another chronowatch binary (e.g. a copy built before a change), "
                        "measured in the same rounds as 'baseline'")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    build = pathlib.Path(args.build)
    args.chronowatch = str(build / "src" / "apps" / "chronowatch")
    args.loadgen = build / "bench" / "ntp_server" / "ntp_loadgen"
    args.echo_responder = build / "bench" / "ntp_server" / "echo_responder"
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-nts-"))
    shutil.chown(workdir, "_chrony", "_chrony")
    cert, key = make_certificate(workdir)
    print(f"load average at start: {load_average()} on {os.cpu_count()} cores")
    print("both NTS-KE servers use the same certificate (ECDSA P-256, made here); a stock OpenSSL "
          "client negotiates:")
    rows = []
    ours, port, ke_port = start_ours(args, cert, key)
    base = start_ours(args, cert, key, args.baseline) if args.baseline else None
    echo, echo_port = start_echo(args)
    try:
        with ChronydNts(cert, key) as chronyd:
            print(f"  chronowatch: {tls_parameters(ke_port, cert)}")
            print(f"  chronyd:     {tls_parameters(chronyd.ke_port, cert)}")
            servers = [("bare echo", echo.pid, echo_port, None),
                       ("chronowatch", ours.pid, port, ke_port),
                       ("chronyd", chronyd.process.pid, chronyd.port, chronyd.ke_port)]
            if base:
                servers.insert(2, ("baseline", base[0].pid, base[1], base[2]))
            for n in range(args.rounds):
                for r in one_round(args, servers, cert):
                    rows.append({**r, "round": n + 1})
            chronyd_rate = medians(rows)[("chronyd", "NTS", "saturation")]["per_s"]
            for rate in (int(f * chronyd_rate) for f in (0.25, 0.5)):
                for name, pid, p, kp in servers[1:]:
                    rows.append(phase(args, name, pid, flood_argv(p, kp, cert, True),
                                      args.rate_seconds, rate))
    finally:
        ours.stop()
        if base:
            base[0].stop()
        echo.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    print_rows(rows)
    print_ratios(medians(rows))
    print("  (measured: the run's responses/s, which the shared machine and the load generator "
          "bound when srv % < 100;\n   server-bound: the inverse ratio of the servers' CPU µs per "
          "response, what one core each would give)")
    print("  NTS: one cookie in every request (as ntpperf); NTS-d: every request in flight with its "
          "own cookie\n   (4096 of one session, asked of the server first), as real clients send")
    print(f"load average at end: {load_average()} on {os.cpu_count()} cores")
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
