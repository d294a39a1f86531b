"""Network namespaces for the network monitor's integration tests.

A Lab is two namespaces joined by a veth pair that the test creates and always deletes: `attacker`
(10.N.0.1 and extra client addresses) and `target` (10.N.0.2 and a /28 of extra addresses for
sweeps). 10.x addresses are used only inside these namespaces; no other interface is touched.
Captures are made with tcpdump on the target's veth; programs run in a namespace with `ip netns exec`.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from peers import Process, chronowatch_binary, wait_for


def _run(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def namespaces_unavailable():
    """A reason to skip, or None when this machine lets us create namespaces and veth pairs."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    for tool in ("ip", "tcpdump"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/install-deps)"
    name = f"cw-probe-{os.getpid()}"
    probe = _run("ip", "netns", "add", name, check=False)
    if probe.returncode != 0:
        return f"cannot create network namespaces here: {probe.stderr.strip()}"
    _run("ip", "netns", "del", name, check=False)
    return None


def require_namespaces():
    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)


class Lab:
    def __init__(self, subnet):
        tag = f"{os.getpid() % 100000}{subnet % 100}"
        self.net = f"10.{subnet}"
        self.attacker_ns = f"cw-nm-{tag}-a"
        self.target_ns = f"cw-nm-{tag}-t"
        self.attacker_if = f"cwa{tag}"[:15]
        self.target_if = f"cwt{tag}"[:15]
        self.attacker = f"{self.net}.0.1"
        self.target = f"{self.net}.0.2"
        self.sweep = [f"{self.net}.1.{i}" for i in range(16)]  # 10.N.1.0/28, all on the target
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="cw-netmon-"))
        self._processes = []

    def __enter__(self):
        try:
            self._create()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _create(self):
        _run("ip", "netns", "add", self.attacker_ns)
        _run("ip", "netns", "add", self.target_ns)
        _run("ip", "link", "add", self.attacker_if, "type", "veth", "peer", "name", self.target_if)
        _run("ip", "link", "set", self.attacker_if, "netns", self.attacker_ns)
        _run("ip", "link", "set", self.target_if, "netns", self.target_ns)
        _run("ip", "-n", self.attacker_ns, "addr", "add", f"{self.attacker}/16", "dev", self.attacker_if)
        _run("ip", "-n", self.target_ns, "addr", "add", f"{self.target}/16", "dev", self.target_if)
        for address in self.sweep:
            _run("ip", "-n", self.target_ns, "addr", "add", f"{address}/32", "dev", self.target_if)
        for ns, link in ((self.attacker_ns, self.attacker_if), (self.target_ns, self.target_if)):
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            _run("ip", "-n", ns, "link", "set", link, "up")

    def silence_ipv6(self):
        """No IPv6 on the link, so no router solicitations or MLD reports: the link carries only
        what a test sends (a detector must then keep time without frames)."""
        for ns, link in ((self.attacker_ns, self.attacker_if), (self.target_ns, self.target_if)):
            _run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", f"net.ipv6.conf.{link}.disable_ipv6=1")

    def add_attacker_address(self, address):
        _run("ip", "-n", self.attacker_ns, "addr", "add", f"{address}/16", "dev", self.attacker_if)

    def exec_argv(self, ns, argv):
        return ["ip", "netns", "exec", ns] + [str(a) for a in argv]

    def run(self, ns, argv, timeout=120, check=True):
        result = subprocess.run(self.exec_argv(ns, argv), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{argv} failed ({result.returncode}): {result.stderr[-2000:]}")
        return result

    def start(self, ns, argv, name):
        process = Process(self.exec_argv(ns, argv), name=name)
        self._processes.append(process)
        return process

    def mark(self):
        """How many processes were started so far, for stop_since."""
        return len(self._processes)

    def stop_since(self, mark):
        """Stops (by PID) every process started after mark(), even when a test failed midway."""
        for process in reversed(self._processes[mark:]):
            process.stop()

    def capture(self, name):
        """Starts tcpdump on the target's veth; returns (process, pcap path). Stop with stop_capture."""
        path = self.tmp / f"{name}.pcap"
        process = self.start(self.target_ns, ["tcpdump", "-i", self.target_if, "-n", "-B", "65536", "--immediate-mode",
                                              "-w", path], "tcpdump")
        wait_for(lambda: "listening on" in process.log(), timeout=10, what="tcpdump to listen")
        return process, path

    def stop_capture(self, process):
        time.sleep(0.5)  # the last answers reach the capture
        process.stop(signal.SIGINT)
        dropped = re.search(r"(\d+) packets? dropped by kernel", process.log())
        assert dropped is None or dropped.group(1) == "0", "tcpdump lost packets: " + process.log()

    def wait_port(self, ns, host, port, timeout=15):
        probe = ["python3", "-c",
                 f"import socket; socket.create_connection(('{host}', {port}), timeout=1).close()"]
        wait_for(lambda: subprocess.run(self.exec_argv(ns, probe), capture_output=True).returncode == 0,
                 timeout=timeout, what=f"{host}:{port} to listen")

    def close(self):
        for process in reversed(self._processes):
            process.stop()
        _run("ip", "netns", "del", self.attacker_ns, check=False)
        _run("ip", "netns", "del", self.target_ns, check=False)
        if not os.environ.get("CW_KEEP_CAPTURES"):
            shutil.rmtree(self.tmp, ignore_errors=True)


def netmon(pcap, config=None, extra=()):
    """Runs `chronowatch netmon --pcap FILE --json`; returns (events, summary, completed process)."""
    import json
    argv = [chronowatch_binary(), "netmon", "--pcap", str(pcap), "--json", *extra]
    if config:
        argv += ["--config", str(config)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert lines and lines[-1]["type"] == "summary", result.stdout
    return lines[:-1], lines[-1], result


def fields(line):
    """An event line (the one JSON form, docs/wire-format.md §7) with its network data and its
    attributes lifted beside type and severity, for short assertions; other lines as they are."""
    if "data_type" not in line and "attributes" not in line:
        return line
    return {**line, **line.get("data", {}), **line.get("attributes", {})}


def of_type(events, kind):
    """One record per attack: scans and floods send `detected`, `update`s and `ended` (issue 14);
    this keeps the `ended` ones and every event without a phase."""
    return [f for f in map(fields, events) if f["type"] == kind and f.get("phase", "ended") == "ended"]


def records_of(events, kind, phase=None):
    """Every record of a type (of one phase when given)."""
    return [f for f in map(fields, events)
            if f["type"] == kind and (phase is None or f.get("phase") == phase)]


def pcap_times(path, predicate):
    """Capture times (seconds) of the frames of a classic pcap (tcpdump -w) that predicate(frame)
    accepts."""
    import struct
    data = pathlib.Path(path).read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    at, out = 24, []
    while at + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack("<IIII", data[at:at + 16])
        frame = data[at + 16:at + 16 + caplen]
        if predicate(frame):
            out.append(sec + frac * scale)
        at += 16 + caplen
    return out
