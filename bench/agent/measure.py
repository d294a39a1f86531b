"""Resident memory, binary size, startup and CPU per poll of the drift agent (daemon mode), side by
side with chronyd, in one run. Peers started here on loopback: chronyd serving NTP, a second
chronyd polling it as a client (the peer the agent is compared with: same job, same interval
floor), Mosquitto, and a chronowatch collector for the ZeroMQ sink (CURVE keys made here).

Rows: each --binary (default: build/src/apps/chronowatch and chronowatch-agent) with the MQTT
sink, and with the MQTT and ZeroMQ sinks; then the last binary with a clock 10 minutes ahead
(faketime) publishing a time_drift alert at every poll (QoS 1, through the spool); then the two
chronyd. Targets (issue 16): chronowatch-agent RSS <= 6 MB polling with MQTT and ZeroMQ sinks,
startup to first poll <= 50 ms.

Memory is read from /proc/PID/smaps_rollup at the end of each run: RSS (every resident page,
shared library pages included), PSS (shared pages divided among the processes mapping them) and
private (pages only this process maps: its real cost). Startup is from the agent's exec (the
time just before it is spawned) to the timestamp of its first "poll round" log line (the first
poll answered and processed), in ms. --breakdown adds RSS per mapping.

Usage: /usr/bin/python3 bench/agent/measure.py [--polls N] [--interval SEC] [--binary PATH]...
                                               [--breakdown]
"""
import argparse
import datetime
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from peers import (Chronyd, Mosquitto, Process, chronowatch_binary, faketime_env,  # noqa: E402
                   free_port, wait_for)

TICKS = os.sysconf("SC_CLK_TCK")


def proc_status(pid, field):
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def smaps_rollup(pid):
    """{field: kB} of /proc/PID/smaps_rollup (Rss, Pss, Private_Clean, Anonymous, ...)."""
    text = pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text()
    return {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+) kB", text, re.M)}


def rss_by_mapping(pid):
    """[(kB, name)] resident per mapped file ([heap], [anon], ... for the others), largest first."""
    totals, name = {}, None
    for line in pathlib.Path(f"/proc/{pid}/smaps").read_text().splitlines():
        header = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
        if header:
            name = header.group(1) or "[anon]"
        elif line.startswith("Rss:"):
            totals[name] = totals.get(name, 0) + int(line.split()[1])
    return sorted(((kb, n) for n, kb in totals.items() if kb), reverse=True)


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def polls(process):
    return len(re.findall(r"poll round", process.log()))


def startup_ms(process, spawned_at):
    """ms from spawn to the first "poll round" line's own timestamp (local time, ms precision)."""
    match = re.search(r"^(\S+) \S*debug\S* poll round", process.log(), re.M)
    stamp = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
    return 1000 * (stamp - spawned_at)


def memory(pid):
    rollup = smaps_rollup(pid)
    return dict(rss_kb=rollup["Rss"], pss_kb=rollup["Pss"], peak_rss_kb=proc_status(pid, "VmHWM"),
                private_kb=rollup["Private_Clean"] + rollup["Private_Dirty"],
                anon_kb=rollup["Anonymous"], mappings=rss_by_mapping(pid))


class ZmqPeer:
    """A chronowatch collector on a free port and one authorized agent key (for --sink zmq)."""

    def __init__(self, binary):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-zmq-"))
        for d in ("server", "agents", "authorized"):
            (self.dir / d).mkdir()
        subprocess.run([binary, "keygen", "--out", self.dir / "server", "--name", "collector"],
                       check=True, capture_output=True)
        subprocess.run([binary, "keygen", "--out", self.dir / "agents", "--name", "bench-agent"],
                       check=True, capture_output=True)
        shutil.copy(self.dir / "agents" / "bench-agent.pub", self.dir / "authorized")
        self.endpoint = f"tcp://127.0.0.1:{free_port(socket.SOCK_STREAM)}"
        self.process = Process([binary, "collector", "--listen", self.endpoint,
                                "--db", self.dir / "events.db",
                                "--key", self.dir / "server" / "collector.key",
                                "--authorized-keys", self.dir / "authorized"], name="collector")
        wait_for(lambda: "listening" in self.process.log() or not self.process.alive(),
                 timeout=15, what="collector listening")

    def args(self):
        return ["--sink", "mqtt,zmq", "--collector", self.endpoint, "--agent-id", "bench-agent",
                "--collector-key", str(self.dir / "server" / "collector.pub"),
                "--key", str(self.dir / "agents" / "bench-agent.key")]

    def stop(self):
        self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(binary, ntp_port, mqtt_port, n, interval, drifting, sink_args=()):
    spool = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-spool-"))
    env = faketime_env("+600s") if drifting else dict(os.environ)
    env.update(NTP_SRV=f"127.0.0.1:{ntp_port}", MQTT_HOST="127.0.0.1", MQTT_PORT=str(mqtt_port),
               CW_SPOOL_DIR=str(spool), CW_LOG_LEVEL="debug")
    argv = [binary, "agent", "--poll-interval", str(interval), "--repeat-interval", "1",
            "--repeat-max", "1", "--burst", "1", *sink_args]
    spawned_at = time.time()
    agent = Process(argv, env=env, name="bench-agent")
    try:
        while polls(agent) < 3:  # warm up: connected, first polls done
            if not agent.alive():
                raise RuntimeError(f"{binary} exited:\n{agent.log()}")
            time.sleep(0.05)
        start_polls, start_cpu, start = polls(agent), cpu_seconds(agent.pid), time.monotonic()
        while polls(agent) < start_polls + n:
            time.sleep(0.05)
        done = polls(agent) - start_polls
        cpu = cpu_seconds(agent.pid) - start_cpu
        wall = time.monotonic() - start
        result = memory(agent.pid)
        alerts = len(re.findall(r"event time_drift", agent.log()))
        startup = None if drifting else startup_ms(agent, spawned_at)  # its log is 600 s ahead
    finally:
        agent.stop()
        shutil.rmtree(spool, ignore_errors=True)
    result.update(polls=done, cpu_ms_per_poll=1000 * cpu / done, cpu_percent=100 * cpu / wall,
                  alerts=alerts, startup_ms=startup)
    return result


def print_row(label, r, size, breakdown):
    cpu = (f"CPU {r['cpu_ms_per_poll']:.3f} ms/poll  " if "cpu_ms_per_poll" in r else "")
    startup = f"startup {r['startup_ms']:.0f} ms  " if r.get("startup_ms") is not None else ""
    alerts = f"  alerts {r['alerts']}" if "alerts" in r else ""
    print(f"{label:50s} RSS {r['rss_kb']:6d} kB  PSS {r['pss_kb']:6d} kB  private "
          f"{r['private_kb']:6d} kB  (peak {r['peak_rss_kb']} kB, anon {r['anon_kb']} kB)  "
          f"binary {size / 1e6:.2f} MB stripped  {startup}{cpu}{alerts}")
    if breakdown:
        for kb, name in r["mappings"]:
            print(f"    {kb:6d} kB  {name}")


def stripped_size(binary):
    """Bytes of the program once stripped (as the package installs it)."""
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["strip", "-o", out.name, binary], check=True)
        return os.path.getsize(out.name)


def default_binaries():
    full = pathlib.Path(chronowatch_binary())
    agent = full.with_name("chronowatch-agent")
    return [str(full)] + ([str(agent)] if agent.exists() else [])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--binary", action="append", help="repeat; default: both programs")
    parser.add_argument("--breakdown", action="store_true", help="RSS per mapping as well")
    args = parser.parse_args()
    binaries = args.binary or default_binaries()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} "
          f"CPUs; {args.polls} polls every {args.interval} s; targets: agent RSS <= 6144 kB "
          f"with MQTT + ZeroMQ, startup <= 50 ms")
    full = default_binaries()[0]
    with Chronyd() as chronyd, Mosquitto() as broker:
        zmq = ZmqPeer(full)
        client = Chronyd(serve=False, extra=[f"server 127.0.0.1 port {chronyd.port} iburst "
                                             "minpoll -4 maxpoll -4"])
        try:
            for binary in binaries:
                size = stripped_size(binary)
                name = pathlib.Path(binary).name
                for sinks, sink_args in (("MQTT", ()), ("MQTT + ZeroMQ", zmq.args())):
                    r = run(binary, chronyd.port, broker.port, args.polls, args.interval, False,
                            sink_args)
                    print_row(f"{name}, {sinks}, honest clock", r, size, args.breakdown)
            r = run(binaries[-1], chronyd.port, broker.port, args.polls, args.interval, True,
                    zmq.args())
            print_row(f"{name}, MQTT + ZeroMQ, drift, alert/poll", r, size, args.breakdown)
            chronyd_size = stripped_size(shutil.which("chronyd"))
            print_row("chronyd client (polling every 1/16 s)", memory(client.process.pid),
                      chronyd_size, args.breakdown)
            print_row("chronyd server (answering the polls)", memory(chronyd.process.pid),
                      chronyd_size, args.breakdown)
        finally:
            client.stop()
            zmq.stop()


if __name__ == "__main__":
    main()
