"""Resident memory and CPU per poll of `chronowatch agent` (daemon mode) against a local chronyd
and a local Mosquitto, both started here on loopback. Two runs: an honest clock (polls only) and
a clock 10 minutes ahead (faketime) with a time_drift alert published at every poll (QoS 1,
acknowledged, through the spool). Target: RSS ≤ 10 MB.

Memory is read from /proc/PID/smaps_rollup at the end of each run: RSS (every resident page,
shared library pages included), PSS (shared pages divided among the processes mapping them) and
private (pages only this process maps: its real cost). --breakdown adds RSS per mapping.

Usage: /usr/bin/python3 bench/agent/measure.py [--polls N] [--interval SEC] [--binary PATH]
                                               [--breakdown]
"""
import argparse
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from peers import Chronyd, Mosquitto, Process, chronowatch_binary, faketime_env  # noqa: E402

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


def run(binary, ntp_port, mqtt_port, n, interval, drifting):
    spool = pathlib.Path(tempfile.mkdtemp(prefix="cw-bench-spool-"))
    env = faketime_env("+600s") if drifting else dict(os.environ)
    env.update(NTP_SRV=f"127.0.0.1:{ntp_port}", MQTT_HOST="127.0.0.1", MQTT_PORT=str(mqtt_port),
               CW_SPOOL_DIR=str(spool), CW_LOG_LEVEL="debug")
    argv = [binary, "agent", "--poll-interval", str(interval), "--repeat-interval", "1",
            "--repeat-max", "1", "--burst", "1"]
    agent = Process(argv, env=env, name="bench-agent")
    try:
        while polls(agent) < 3:  # warm up: connected, first polls done
            time.sleep(0.05)
        start_polls, start_cpu, start = polls(agent), cpu_seconds(agent.pid), time.monotonic()
        while polls(agent) < start_polls + n:
            time.sleep(0.05)
        done = polls(agent) - start_polls
        cpu = cpu_seconds(agent.pid) - start_cpu
        wall = time.monotonic() - start
        peak = proc_status(agent.pid, "VmHWM")
        rollup, mappings = smaps_rollup(agent.pid), rss_by_mapping(agent.pid)
        alerts = len(re.findall(r"event time_drift", agent.log()))
    finally:
        agent.stop()
        shutil.rmtree(spool, ignore_errors=True)
    return dict(polls=done, cpu_ms_per_poll=1000 * cpu / done, cpu_percent=100 * cpu / wall,
                rss_kb=rollup["Rss"], pss_kb=rollup["Pss"], peak_rss_kb=peak,
                private_kb=rollup["Private_Clean"] + rollup["Private_Dirty"],
                anon_kb=rollup["Anonymous"], alerts=alerts, mappings=mappings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--binary", default=chronowatch_binary())
    parser.add_argument("--breakdown", action="store_true", help="RSS per mapping as well")
    args = parser.parse_args()
    print(f"binary {args.binary}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    with Chronyd() as chronyd, Mosquitto() as broker:
        for drifting in (False, True):
            r = run(args.binary, chronyd.port, broker.port, args.polls, args.interval, drifting)
            label = "drift, alert per poll" if drifting else "honest clock, no alerts"
            print(f"{label:24s} polls {r['polls']:4d}  CPU {r['cpu_ms_per_poll']:.3f} ms/poll "
                  f"({r['cpu_percent']:.2f}% at {args.interval} s interval)  RSS {r['rss_kb']} kB "
                  f"(peak {r['peak_rss_kb']} kB, target <= 10240)  PSS {r['pss_kb']} kB  "
                  f"private {r['private_kb']} kB (anonymous {r['anon_kb']} kB)  "
                  f"alerts {r['alerts']}")
            if args.breakdown:
                for kb, name in r["mappings"]:
                    print(f"    {kb:6d} kB  {name}")


if __name__ == "__main__":
    main()
