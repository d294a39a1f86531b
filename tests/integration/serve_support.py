"""`chronowatch serve` as a test peer, and chronyd as a client of it (helpers for test_serve_*.py).

Everything runs on loopback, every time daemon without CAP_SYS_TIME (and chronyd with -x or -Q),
so nothing here can move this machine's clock.
"""
import json
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import ntplib

from peers import (Peer, Process, chronowatch_binary, free_port, wait_for, without_cap_sys_time)


class Server:
    """chronowatch serve on 127.0.0.1:port (rate limiting off unless args turn it on)."""

    def __init__(self, *args, port=None, env=None, rate_limited=False, expect_ready=True, threads=2):
        self.port = port or free_port()
        argv = [chronowatch_binary(), "serve", "--listen", f"127.0.0.1:{self.port}", "--threads", str(threads),
                "--json"]
        if not rate_limited:
            argv += ["--rate-interval", "0"]
        argv += [str(a) for a in args]
        self.process = Process(without_cap_sys_time(argv), env=env, name="serve")
        if expect_ready:
            wait_for(lambda: "listening on" in self.process.log() or not self.process.alive(),
                     timeout=10, what="chronowatch serve to listen")
            if not self.process.alive():
                raise RuntimeError("chronowatch serve exited:\n" + self.process.log())

    def query(self, version=4, timeout=1.0, host="127.0.0.1"):
        return ntplib.NTPClient().request(host, port=self.port, version=version, timeout=timeout)

    def counters(self):
        """Asks for the counters (SIGUSR1) and returns the newest JSON report."""
        before = self.process.log().count('"event":"signal"')
        self.process.send_signal(signal.SIGUSR1)
        wait_for(lambda: self.process.log().count('"event":"signal"') > before, timeout=5,
                 what="counters after SIGUSR1")
        return self.reports()[-1]

    def reports(self):
        out = []
        for line in self.process.log().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def stop(self):
        code = self.process.stop()
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def best_of(server, count=8, **kwargs):
    """The ntplib answer with the smallest delay out of `count` (the least disturbed by load)."""
    replies = []
    for _ in range(count):
        replies.append(server.query(**kwargs))
        time.sleep(0.05)
    return min(replies, key=lambda r: r.delay)


def chronyd_measure(port, extra_server_options="", keys=None, timeout=10):
    """`chronyd -Q` measuring 127.0.0.1:port once (client only, never touches the clock).
    Returns (offset in seconds or None, chronyd's log). minpoll -2: the iburst requests go
    0.25 s apart instead of 2 s (0.5 s for the four samples, not 4.3 s)."""
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cw-chronyq-"))
    shutil.chown(workdir, "_chrony", "_chrony")
    lines = [f"pidfile {workdir}/chronyd.pid", f"driftfile {workdir}/drift", "cmdport 0",
             "bindcmdaddress /", "port 0",
             f"server 127.0.0.1 port {port} iburst maxsamples 4 minpoll -2 {extra_server_options}"]
    if keys:
        keyfile = workdir / "chrony.keys"
        keyfile.write_text("".join(f"{kid} {spec}\n" for kid, spec in keys.items()))
        shutil.chown(keyfile, "root", "_chrony")
        keyfile.chmod(0o640)
        lines.append(f"keyfile {keyfile}")
    conf = workdir / "chrony.conf"
    conf.write_text("\n".join(lines) + "\n")
    try:
        result = subprocess.run(without_cap_sys_time(["chronyd", "-Q", "-d", "-t", str(timeout), "-f", conf]),
                                capture_output=True, text=True, timeout=timeout + 10)
        log = result.stdout + result.stderr
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in log.splitlines():
        if "System clock wrong by" in line:
            return float(line.split("wrong by")[1].split()[0]), log
    return None, log


class ChronydClient(Peer):
    """chronyd -x as a long-running client of 127.0.0.1:port, polling every `2**poll` s, logging
    every measurement (measurements.log) so a test can see whether it accepts our replies."""

    def __init__(self, port, poll=0, extra_server_options="", keys=None, faketime_env=None):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-chronyc-"))
        shutil.chown(self.dir, "_chrony", "_chrony")
        lines = [f"pidfile {self.dir}/chronyd.pid", f"driftfile {self.dir}/drift", "cmdport 0",
                 "bindcmdaddress /", "port 0", f"logdir {self.dir}", "log measurements",
                 f"server 127.0.0.1 port {port} iburst minpoll {poll} maxpoll {poll} {extra_server_options}"]
        if keys:
            keyfile = self.dir / "chrony.keys"
            keyfile.write_text("".join(f"{kid} {spec}\n" for kid, spec in keys.items()))
            shutil.chown(keyfile, "root", "_chrony")
            keyfile.chmod(0o640)
            lines.append(f"keyfile {keyfile}")
        self.conf = self.dir / "chrony.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        self.process = Process(without_cap_sys_time(["chronyd", "-x", "-d", "-f", self.conf]),
                               env=faketime_env, name="chronyd-client")

    def measurements(self):
        """Parsed measurements.log rows: dict(ip, leap, stratum, tests, offset, delay)."""
        path = self.dir / "measurements.log"
        rows = []
        if not path.exists():
            return rows
        for line in path.read_text().splitlines():
            f = line.split()
            if len(f) < 12 or f[0].startswith("=") or not f[0][0].isdigit():
                continue
            # date time ip leap stratum tests(3 groups) local-poll remote-poll score offset delay ...
            rows.append({"ip": f[2], "leap": f[3], "stratum": int(f[4]),
                         "tests": " ".join(f[5:8]), "offset": float(f[11]), "delay": float(f[12])})
        return rows


def raw_request(version=4, mode=3, transmit=0x0123456789ABCDEF, extra=b""):
    first = (0 << 6) | (version << 3) | mode
    return struct.pack("!BBbbII4sQQQQ", first, 0, 6, 0, 0, 0, b"\0\0\0\0", 0, 0, 0, transmit) + extra


def exchange(port, payload, timeout=0.5, family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(payload, (host, port))
        try:
            return s.recv(4096)
        except socket.timeout:
            return None
