"""Issue 16: the Debian packages, for real. `scripts/package` builds chronowatch and
chronowatch-agent from a clean checkout (lintian: no errors), `dpkg -i` installs them on this
machine, and the test checks what an operator gets: `--version`, the man pages, a system user per
service, the collector's key pair (0600, its user's), the conffiles, serve installed disabled,
`systemd-analyze verify` and `security --offline` (<= 2.0 each). systemd is not PID 1 here, so the
services are started by running their units' exact ExecStart= lines as the units' users with the
units' capabilities (setpriv), against real peers on loopback: each sends READY=1 to
$NOTIFY_SOCKET once it listens, survives ExecReload's SIGHUP and stops on SIGTERM with status 0.
Finally `dpkg --purge` leaves nothing behind (every file of `dpkg -L`, /etc/chronowatch,
/var/lib/chronowatch, the users).

Runtime: with CW_BUILD_DIR (as ctest sets it) the package build reuses that configured build tree
(about a minute: the two programs, the man pages, debhelper, lintian); without it the packages
are built from scratch (many minutes). Needs root and dpkg; CI machines are disposable."""
import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile

import pytest

from peers import Chronyd, Mosquitto, Process, free_port, ntp_answers, wait_for, \
    without_cap_sys_time

REPO = pathlib.Path(__file__).resolve().parents[2]
VERSION = re.search(r"project\(chronowatch VERSION ([0-9.]+)",
                    (REPO / "CMakeLists.txt").read_text()).group(1)
PACKAGES = ["chronowatch", "chronowatch-agent"]
UNITS = {  # unit: (user, capabilities the unit grants)
    "chronowatch-agent": ("_chronowatch-agent", ["net_raw"]),
    "chronowatch-collector": ("_chronowatch-collector", []),
    "chronowatch-serve": ("_chronowatch-serve", ["net_bind_service"]),
}

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dpkg"),
                                reason="installs packages: needs root and dpkg")


def sh(*argv, check=True, **kwargs):
    result = subprocess.run([str(a) for a in argv], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def purge():
    sh("dpkg", "--purge", *PACKAGES, check=False)


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    out = tmp_path_factory.mktemp("debs")
    result = sh(REPO / "scripts" / "package", out, check=False, timeout=3600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    lintian = result.stdout.split("package: lintian", 1)[1]
    assert not re.search(r"^E: ", lintian, re.M), lintian
    return {name: out / f"{name}_{VERSION}_amd64.deb" for name in PACKAGES}


STATE_BEFORE = set()


@pytest.fixture(scope="module")
def installed(debs):
    purge()  # a previous run's leftovers
    # What was under /var/lib/chronowatch before the packages came (another test's agent run as
    # root keeps its default spool there) is not the packages' to remove.
    global STATE_BEFORE
    STATE_BEFORE = {str(p) for p in pathlib.Path("/var/lib/chronowatch").rglob("*")}
    sh("dpkg", "-i", debs["chronowatch-agent"], debs["chronowatch"])
    files = {p: sh("dpkg", "-L", p).stdout.split() for p in PACKAGES}
    yield files
    purge()


def test_the_programs_say_their_version(installed):
    assert sh("chronowatch", "--version").stdout.strip() == VERSION
    assert sh("chronowatch-agent", "--version").stdout.strip() == VERSION
    listed = re.findall(r"^  (\w+) ", sh("chronowatch-agent", "--help").stdout.split(
        "Subcommands:")[1], re.M)
    assert listed == ["query", "agent"], listed  # the agent program is small
    assert sh("chronowatch-agent", "serve", check=False).returncode == 2


def test_files_are_where_debian_puts_them(installed):
    agent, full = set(installed["chronowatch-agent"]), set(installed["chronowatch"])
    assert {"/usr/bin/chronowatch-agent", "/lib/systemd/system/chronowatch-agent.service",
            "/etc/chronowatch/agent.yaml",
            "/usr/share/man/man5/chronowatch.yaml.5.gz",
            "/usr/share/man/man1/chronowatch-agent.1.gz"} <= agent
    assert {"/usr/bin/chronowatch", "/lib/systemd/system/chronowatch-collector.service",
            "/lib/systemd/system/chronowatch-serve.service", "/etc/chronowatch/collector.yaml",
            "/etc/chronowatch/serve.yaml", "/etc/chronowatch/alerts.yaml",
            "/usr/share/man/man1/chronowatch.1.gz",
            "/usr/share/man/man1/chronowatch-serve.1.gz"} <= full
    conffiles = sh("dpkg-query", "-W", "-f=${Conffiles}\n", *PACKAGES).stdout
    for name in ("agent", "collector", "serve", "alerts"):
        assert f"/etc/chronowatch/{name}.yaml" in conffiles, conffiles


def test_man_pages_follow_the_options(installed):
    for page in ("chronowatch", "chronowatch-serve", "chronowatch-collector", "chronowatch-agent",
                 "chronowatch-query", "chronowatch-keygen"):
        assert sh("man", "-w", page).stdout.strip().startswith("/usr/share/man/man1/"), page
    assert sh("man", "-w", "5", "chronowatch.yaml").stdout.strip().endswith(".5.gz")
    serve = sh("man", "chronowatch-serve", env={**os.environ, "MANWIDTH": "100"}).stdout
    help_text = sh("chronowatch", "serve", "--help").stdout
    for flag in re.findall(r"^\s+(--[a-z-]+)", help_text, re.M):
        assert flag in serve, flag  # every option of --help is in the page
    config = sh("man", "5", "chronowatch.yaml", env={**os.environ, "MANWIDTH": "100"}).stdout
    assert "poll_interval" in config and "no_seccomp" in config


def test_a_system_user_per_service_and_the_collector_key(installed):
    for user, _ in UNITS.values():
        entry = sh("getent", "passwd", user).stdout.split(":")
        assert int(entry[2]) < 1000 and entry[6].strip().endswith("nologin"), entry
    key = pathlib.Path("/etc/chronowatch/keys/collector.key")
    st = key.stat()
    assert oct(st.st_mode & 0o777) == "0o600"
    assert sh("id", "-u", "_chronowatch-collector").stdout.strip() == str(st.st_uid)
    assert pathlib.Path("/etc/chronowatch/keys/collector.pub").exists()


def test_serve_is_installed_disabled(installed):
    wants = pathlib.Path("/etc/systemd/system/multi-user.target.wants")
    assert (wants / "chronowatch-agent.service").is_symlink()
    assert (wants / "chronowatch-collector.service").is_symlink()
    assert not (wants / "chronowatch-serve.service").exists()


def test_units_verify_and_score_ok_offline(installed):
    units = [f"/lib/systemd/system/{u}.service" for u in UNITS]
    result = sh("systemd-analyze", "verify", *units, check=False)
    assert result.returncode == 0 and "chronowatch" not in result.stderr, result.stderr
    chrony = pathlib.Path("/lib/systemd/system/chrony.service")
    for unit in units + ([str(chrony)] if chrony.exists() else []):
        text = sh("systemd-analyze", "security", "--offline=true", unit, check=False).stdout
        score = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", text).group(1))
        print(f"systemd-analyze security --offline=true {unit}: {score}")
        if "chronowatch" in unit:
            assert score <= 2.0, text


class NotifySocket:
    """What systemd listens on for Type=notify: a datagram socket the service's user may write."""

    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-notify-"))
        os.chmod(self.dir, 0o755)
        self.path = self.dir / "notify"
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(str(self.path))
        os.chmod(self.path, 0o777)
        self.socket.setblocking(False)
        self.messages = []

    def received(self, text):
        try:
            while True:
                self.messages.append(self.socket.recv(4096).decode())
        except BlockingIOError:
            pass
        return any(text in m for m in self.messages)

    def close(self):
        self.socket.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def unit_setting(unit, key):
    text = pathlib.Path(f"/lib/systemd/system/{unit}.service").read_text()
    return re.search(rf"^{key}=(.*)$", text, re.M).group(1)


def start_as_unit(unit, env):
    """The unit's ExecStart= line, as its User= with its AmbientCapabilities=, in its
    WorkingDirectory=, without CAP_SYS_TIME."""
    user, caps = UNITS[unit]
    assert unit_setting(unit, "User") == user
    exec_start = shlex.split(unit_setting(unit, "ExecStart"))
    granted = ",".join(f"+{c}" for c in caps)
    setpriv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups",
               f"--bounding-set=-all{',' + granted if caps else ''}",
               f"--inh-caps=-all{',' + granted if caps else ''}",
               *([f"--ambient-caps={granted}"] if caps else [])]
    return Process(without_cap_sys_time(setpriv + exec_start), env=env, name=unit,
                   cwd=unit_setting(unit, "WorkingDirectory"))


def run_service(unit, extra_env, is_up, reloaded):
    """Starts the unit's ExecStart= line, waits for READY=1, checks is_up(); sends ExecReload's
    SIGHUP and waits for reloaded(log after the SIGHUP); stops it with SIGTERM (status 0)."""
    notify = NotifySocket()
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": str(notify.path), **extra_env}
    process = start_as_unit(unit, env)
    try:
        wait_for(lambda: notify.received("READY=1") or not process.alive(), timeout=20,
                 what=f"{unit}: READY=1")
        assert process.alive(), process.log()
        assert is_up(), process.log()  # READY=1 means it really is up
        assert unit_setting(unit, "ExecReload") == "/bin/kill -HUP $MAINPID"
        before = len(process.log())
        process.send_signal(signal.SIGHUP)
        wait_for(lambda: reloaded(process, process.log()[before:]) or not process.alive(),
                 timeout=10, what=f"{unit}: handled SIGHUP")
        assert process.alive(), process.log()
        code = process.stop()
        assert code == 0, process.log()
        assert notify.received("STOPPING=1"), notify.messages
    finally:
        process.stop()
        notify.close()
    return process.log()


def test_the_services_start_as_their_units_say(installed):
    with Chronyd() as chronyd, Mosquitto() as broker:
        log = run_service("chronowatch-agent",
                          {"NTP_SRV": f"127.0.0.1:{chronyd.port}", "MQTT_HOST": "127.0.0.1",
                           "MQTT_PORT": str(broker.port), "CW_POLL_INTERVAL": "1",
                           "CW_LOG_LEVEL": "debug"},
                          lambda: True, lambda p, since: "poll round" in since)  # polls on
        assert "seccomp filter installed" in log, log
        assert "/var/lib/chronowatch/agent" in pathlib.Path(
            "/etc/chronowatch/agent.yaml").read_text()
    port = free_port(socket.SOCK_STREAM)

    def collector_accepts():
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    log = run_service("chronowatch-collector", {"CW_COLLECTOR_LISTEN": f"tcp://127.0.0.1:{port}"},
                      collector_accepts, lambda p, since: "SIGHUP: re-reading" in since)
    assert "SIGHUP: re-reading /etc/chronowatch/authorized-agents" in log, log
    assert pathlib.Path("/var/lib/chronowatch/collector/events.db").exists()
    ntp_port = free_port()
    def serve_counters(process, since):  # SIGUSR1 after SIGHUP: answered only if it lived on
        if "counters (signal)" not in since:
            process.send_signal(signal.SIGUSR1)
        return "counters (signal)" in since

    log = run_service("chronowatch-serve",
                      {"CW_SERVE_LISTEN": f"127.0.0.1:{ntp_port}", "CW_SERVE_UPSTREAM": "none",
                       "CW_SERVE_LOCAL_STRATUM": "10"},
                      lambda: ntp_answers(ntp_port), serve_counters)
    assert "seccomp filter installed" in log, log


def test_purge_leaves_nothing_behind(installed):
    files = [f for p in PACKAGES for f in installed[p]]
    purge()
    assert sh("dpkg-query", "-W", "-f=${Status}\n", *PACKAGES, check=False).stdout.count(
        "installed") == 0
    left = [f for f in files if os.path.lexists(f) and not os.path.isdir(f)]
    assert left == [], left
    assert not pathlib.Path("/etc/chronowatch").exists(), list(
        pathlib.Path("/etc/chronowatch").rglob("*"))
    state_left = {str(p) for p in pathlib.Path("/var/lib/chronowatch").rglob("*")} - STATE_BEFORE
    assert state_left == set(), state_left
    for user, _ in UNITS.values():
        assert sh("getent", "passwd", user, check=False).returncode != 0, user
    wants = pathlib.Path("/etc/systemd/system/multi-user.target.wants")
    assert not list(wants.glob("chronowatch-*"))
