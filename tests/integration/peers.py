"""Real peers for integration tests, started on free loopback ports and stopped by PID.

Every time daemon runs with CAP_SYS_TIME dropped (capsh) and chronyd with -x as well, so nothing a
test starts can move this machine's clock. A wrong clock is made with libfaketime (LD_PRELOAD), not
with the `faketime` wrapper, so that the PID we hold is the daemon's own.
"""
import os
import pathlib
import shutil
import signal as signals
import socket
import subprocess
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def chronowatch_binary():
    """Path of the binary under test: $CHRONOWATCH (set by ctest) or the default build."""
    return os.environ.get("CHRONOWATCH", str(REPO / "build" / "src" / "apps" / "chronowatch"))


def free_port(kind=socket.SOCK_DGRAM):
    """A port on 127.0.0.1 that is free for `kind` (UDP by default) at the time of asking."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def faketime_env(offset):
    """Environment that runs a dynamically linked program with its clock shifted by `offset`
    (libfaketime syntax, e.g. '+2.5s' or '+10m')."""
    env = dict(os.environ)
    env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME=offset, FAKETIME_DONT_RESET="1")
    return env


def clear_stale_faketime_files():
    """The faketime wrapper names its semaphore and shared memory after its own PID and leaves them
    in /dev/shm when it is killed; a later wrapper that gets the same PID then exits at once with
    'sem_open: File exists'. Removes those whose PID no longer runs (call before starting one)."""
    for path in pathlib.Path("/dev/shm").glob("*faketime_*_*"):
        pid = path.name.rsplit("_", 1)[-1]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            path.unlink(missing_ok=True)


def without_cap_sys_time(argv):
    """argv wrapped so that the program runs without the capability to set the clock."""
    command = " ".join(_quote(a) for a in argv)
    return ["capsh", "--drop=cap_sys_time", "--", "-c", "exec " + command]


def _quote(arg):
    return "'" + str(arg).replace("'", "'\\''") + "'"


class Process:
    """A child process we started and will stop by PID, with its output kept in a log file."""

    def __init__(self, argv, env=None, name="peer", cwd=None):
        self.log_path = pathlib.Path(tempfile.mkstemp(prefix=f"cw-{name}-", suffix=".log")[1])
        self._log = open(self.log_path, "w")
        self.popen = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      cwd=cwd, start_new_session=True)
        self.pid = self.popen.pid

    def log(self):
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.popen.poll() is None

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, sig=signals.SIGTERM, timeout=10):
        if self.alive():
            os.kill(self.pid, sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signals.SIGKILL)
                self.popen.wait()
        self._log.close()
        return self.popen.returncode


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def ntp_answers(port, host="127.0.0.1", timeout=0.5):
    """True once something on (host, port) answers an NTP client request with a synced reply."""
    import ntplib
    try:
        reply = ntplib.NTPClient().request(host, port=port, version=4, timeout=timeout)
        return reply.leap != 3
    except (ntplib.NTPException, OSError):
        return False


class Peer:
    """A started program (`self.process`) with its own temporary directory (`self.dir`): stopped
    by PID and its directory removed on `stop()` or at the end of a `with` block."""

    def stop(self):
        self.process.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Chronyd(Peer):
    """chronyd as an NTP server on 127.0.0.1:port (`local stratum`), never touching the clock.

    faketime: serve a clock shifted by this libfaketime offset ('+2.5s').
    keys: {key_id: 'TYPE HEX:...'} lines for a keyfile (chrony's format).
    extra: more chrony.conf lines (e.g. `server 127.0.0.1 port P iburst`).
    """

    def __init__(self, port=None, stratum=2, faketime=None, keys=None, extra=(), serve=True):
        self.port = port or free_port()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-chronyd-"))
        shutil.chown(self.dir, "_chrony", "_chrony")
        lines = [
            f"pidfile {self.dir}/chronyd.pid",
            f"driftfile {self.dir}/drift",
            "cmdport 0",
            "bindcmdaddress /",
        ]
        if serve:
            lines += [f"port {self.port}", "bindaddress 127.0.0.1", "allow 127.0.0.1",
                      f"local stratum {stratum}"]
        else:
            lines += ["port 0"]
        if keys:
            keyfile = self.dir / "chrony.keys"
            keyfile.write_text("".join(f"{kid} {spec}\n" for kid, spec in keys.items()))
            os.chmod(keyfile, 0o640)
            shutil.chown(keyfile, "root", "_chrony")
            lines.append(f"keyfile {keyfile}")
        lines += list(extra)
        self.conf = self.dir / "chrony.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        env = faketime_env(faketime) if faketime else None
        self.process = Process(without_cap_sys_time(["chronyd", "-x", "-d", "-f", self.conf]),
                               env=env, name="chronyd")
        if serve:
            wait_for(lambda: ntp_answers(self.port) or not self.process.alive(), timeout=20,
                     what=f"chronyd to serve on port {self.port}")
            if not self.process.alive():
                raise RuntimeError("chronyd exited:\n" + self.process.log())


class Mosquitto(Peer):
    """A real MQTT broker on 127.0.0.1:port. extra: more mosquitto.conf lines (TLS and such)."""

    def __init__(self, port=None, extra=(), listener_options=()):
        self.port = port or free_port(socket.SOCK_STREAM)
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-mosquitto-"))
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true", "persistence false",
                 *listener_options, *extra]
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text("\n".join(lines) + "\n")
        self.process = Process(["mosquitto", "-c", self.conf], name="mosquitto")
        wait_for(self._accepting, timeout=10, what=f"mosquitto on port {self.port}")

    def _accepting(self):
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0



class Prometheus(Peer):
    """A real Prometheus on 127.0.0.1:port scraping `jobs` ({name: (target, extra scrape config
    dict)}) every second, with its own config and data directory; `query(expr)` asks its API."""

    def __init__(self, jobs, port=None):
        import json as _json
        self.port = port or free_port(socket.SOCK_STREAM)
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-prometheus-"))
        scrape = []
        for name, (target, extra) in jobs.items():
            scrape.append({"job_name": name, "scrape_interval": "1s", "scrape_timeout": "1s",
                           "static_configs": [{"targets": [target]}], **extra})
        config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                  "scrape_configs": scrape}
        self.conf = self.dir / "prometheus.yml"
        self.conf.write_text(_json.dumps(config))  # JSON is YAML
        self.process = Process(["prometheus", f"--config.file={self.conf}",
                                f"--storage.tsdb.path={self.dir / 'data'}",
                                f"--web.listen-address=127.0.0.1:{self.port}"], name="prometheus")
        wait_for(lambda: self._ready() or not self.process.alive(), timeout=30,
                 what=f"prometheus on port {self.port}")
        if not self.process.alive():
            raise RuntimeError("prometheus exited:\n" + self.process.log())

    def _ready(self):
        import urllib.request
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, expr):
        """The instant vector of `expr`: [(labels, value as float), ...]."""
        import json as _json
        import urllib.parse
        import urllib.request
        url = f"http://127.0.0.1:{self.port}/api/v1/query?query=" + urllib.parse.quote(expr)
        with urllib.request.urlopen(url, timeout=5) as response:
            body = _json.loads(response.read())
        assert body["status"] == "success", body
        return [(r["metric"], float(r["value"][1])) for r in body["data"]["result"]]


PG_BIN = pathlib.Path(os.environ.get("CW_PG_BIN", "/usr/lib/postgresql/15/bin"))


class Postgres(Peer):
    """A throwaway PostgreSQL 15 cluster: initdb (trust) in a temporary directory, the server in
    the foreground on a unix socket there (listen_addresses=''), as the `postgres` user when we
    are root (setpriv execs it, so the PID we hold is the postmaster's). Never the system's
    cluster. Missing binaries raise: CI installs postgresql-15, so a test never skips for it."""
    settings = {}  # subclasses that skip __init__ (a standby) start with none

    def __init__(self, settings=None):
        self.settings = dict(settings or {})  # more `-c name=value` for the server
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing): "
                               "apt-get install postgresql-15")
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-pg-"))
        self.data = self.dir / "data"
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        subprocess.run([*self._as, PG_BIN / "initdb", "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8", "--locale=C", "-D", self.data],
                       check=True, capture_output=True)
        self.process = None
        self.start()

    def start(self):
        self.process = Process([*self._as, PG_BIN / "postgres", "-D", self.data, "-k", self.dir,
                                "-p", "5432", "-c", "listen_addresses=", "-c", "fsync=off",
                                *[a for k, v in self.settings.items() for a in ("-c", f"{k}={v}")]],
                               name="postgres")
        wait_for(lambda: self._ready() or not self.process.alive(), timeout=30,
                 what="PostgreSQL to accept connections")
        if not self.process.alive():
            raise RuntimeError("postgres exited:\n" + self.process.log())

    def _ready(self):
        return subprocess.run([PG_BIN / "pg_isready", "-q", "-h", self.dir, "-p", "5432"],
                              capture_output=True).returncode == 0

    def url(self, database="postgres"):
        """A postgresql:// URI of `database` on this cluster's socket."""
        return f"postgresql:///{database}?host={self.dir}&port=5432&user=postgres"

    def psql(self, sql, database="postgres"):
        result = subprocess.run([PG_BIN / "psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1",
                                 "-d", self.url(database), "-c", sql],
                                check=True, capture_output=True, text=True, timeout=60)
        return result.stdout

    def create_database(self, name):
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def crash(self):
        """`pg_ctl -m immediate`: SIGQUIT to the postmaster, no shutdown checkpoint."""
        self.process.stop(signals.SIGQUIT)

    def stop(self):
        if self.process:
            self.process.stop(signals.SIGINT, timeout=30)  # fast shutdown
        shutil.rmtree(self.dir, ignore_errors=True)
