"""NTS (RFC 8915) helpers for integration tests: a test-made certificate that GnuTLS inside
chronyd accepts (IP and DNS SANs, digitalSignature, serverAuth), and chronyd as an NTS server
(NTS-KE on its own TCP port, NTP on a UDP port), started and stopped like every other peer."""
import pathlib
import shutil
import socket
import subprocess

import pytest

from peers import Chronyd, free_port, wait_for


def make_certificate(directory):
    """A self-signed P-256 certificate for localhost / 127.0.0.1 in `directory`: (cert, key)."""
    directory = pathlib.Path(directory)
    cert, key = directory / "nts.crt", directory / "nts.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-addext", "keyUsage=critical,digitalSignature",
         "-addext", "extendedKeyUsage=serverAuth"],
        check=True, capture_output=True)
    for path in (cert, key):
        shutil.chown(path, "_chrony", "_chrony")
        path.chmod(0o640)
    return cert, key


@pytest.fixture(scope="module")
def certificate():
    """A module's certificate (make_certificate in a directory _chrony can read): (cert, key).
    A test module uses it with `from nts_support import certificate  # noqa: F401`."""
    import tempfile
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert-"))
    shutil.chown(directory, "_chrony", "_chrony")
    yield make_certificate(directory)
    shutil.rmtree(directory, ignore_errors=True)


def nts_server(certificate, *args, port=None, ke_port=None):
    """Our serve with NTS (stratum 2, no upstream) on free ports, its NTS-KE listening."""
    from serve_support import Server
    cert, key = certificate
    ke_port = ke_port or free_port(socket.SOCK_STREAM)
    server = Server("--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key",
                    key, "--nts-ke-listen", f"127.0.0.1:{ke_port}", *args, port=port)
    server.ke_port = ke_port
    wait_for(lambda: tcp_accepts(ke_port), what="our NTS-KE listener")
    return server


def tcp_accepts(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class ChronydNts(Chronyd):
    """chronyd serving NTS: NTS-KE on 127.0.0.1:ke_port, NTP on 127.0.0.1:port, cookies' keys in
    `dump_dir` (kept across restarts when the caller passes the same directory)."""

    def __init__(self, cert, key, port=None, ke_port=None, dump_dir=None, extra=()):
        self.ke_port = ke_port or free_port(socket.SOCK_STREAM)
        self.dump_dir = dump_dir
        lines = [f"ntsserverkey {key}", f"ntsservercert {cert}", f"ntsport {self.ke_port}",
                 "ntsprocesses 0"]
        if dump_dir:
            lines.append(f"ntsdumpdir {dump_dir}")
        super().__init__(port=port, extra=lines + list(extra))
        wait_for(lambda: tcp_accepts(self.ke_port) or not self.process.alive(), timeout=20,
                 what=f"chronyd's NTS-KE on port {self.ke_port}")
        if not self.process.alive():
            raise RuntimeError("chronyd exited:\n" + self.process.log())


def chronyd_nts_measure(port, ke_port, cert, timeout=12):
    """`chronyd -Q` measuring an NTS server once (NTS-KE on ke_port, trusting only `cert`), never
    touching the clock. Returns (offset in seconds or None, chronyd's log). minpoll -2: its first
    request goes 0.25 s after the NTS-KE instead of 2 s."""
    import tempfile
    from peers import without_cap_sys_time
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="cw-chronyq-nts-"))
    shutil.chown(workdir, "_chrony", "_chrony")
    conf = workdir / "chrony.conf"
    conf.write_text("\n".join([
        f"pidfile {workdir}/chronyd.pid", f"driftfile {workdir}/drift", "cmdport 0",
        "bindcmdaddress /", "port 0", f"ntstrustedcerts {cert}", "nosystemcert",
        f"ntsdumpdir {workdir}",
        f"server 127.0.0.1 port {port} nts ntsport {ke_port} iburst maxsamples 1 "
        "minpoll -2"]) + "\n")
    try:
        result = subprocess.run(without_cap_sys_time(["chronyd", "-Q", "-d", "-t", str(timeout),
                                                      "-f", conf]),
                                capture_output=True, text=True, timeout=timeout + 10)
        log = result.stdout + result.stderr
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in log.splitlines():
        if "System clock wrong by" in line:
            return float(line.split("wrong by")[1].split()[0]), log
    return None, log


class ChronydNtsClient(Chronyd.__mro__[1]):  # peers.Peer
    """chronyd -x as a long-running NTS client of 127.0.0.1 (NTP `port`, NTS-KE `ke_port`), polling
    every second and logging each measurement, with its cookies dumped in its own directory."""

    def __init__(self, port, ke_port, cert):
        import tempfile
        from peers import Process, without_cap_sys_time
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-chronyc-nts-"))
        shutil.chown(self.dir, "_chrony", "_chrony")
        self.conf = self.dir / "chrony.conf"
        self.socket = self.dir / "chronyd.sock"  # for chronyc (authdata), no UDP command port
        self.conf.write_text("\n".join([
            f"pidfile {self.dir}/chronyd.pid", f"driftfile {self.dir}/drift", "cmdport 0",
            f"bindcmdaddress {self.socket}", "port 0", f"logdir {self.dir}", "log measurements",
            f"ntstrustedcerts {cert}", "nosystemcert", f"ntsdumpdir {self.dir}",
            f"server 127.0.0.1 port {port} nts ntsport {ke_port} iburst minpoll 0 maxpoll 0"])
            + "\n")
        self.process = Process(without_cap_sys_time(["chronyd", "-x", "-d", "-f", self.conf]),
                               name="chronyd-nts-client")

    def authdata(self):
        """`chronyc authdata` for our one server: dict(name, mode, keyid, type, klen, last, atmp,
        nak, cook, clen) as chronyc -c prints them, or None before it has one."""
        out = subprocess.run(["chronyc", "-h", str(self.socket), "-c", "-n", "authdata"],
                             capture_output=True, text=True, timeout=10)
        for line in out.stdout.splitlines():
            f = line.split(",")
            if len(f) >= 10:
                return dict(zip(["name", "mode", "keyid", "type", "klen", "last", "atmp", "nak",
                                 "cook", "clen"], f))
        return None

    def selected(self):
        """Whether chronyd has selected our server for synchronization (`chronyc sources`: '*')
        with tracking leap status Normal; None when chronyc gave no answer (a busy machine), with
        what chronyc printed."""
        def chronyc(what):
            return subprocess.run(["chronyc", "-h", str(self.socket), "-c", "-n", what],
                                  capture_output=True, text=True, timeout=10).stdout.strip()
        sources, tracking = chronyc("sources"), chronyc("tracking")
        if not sources or not tracking:
            return None, f"sources: {sources!r}, tracking: {tracking!r}"
        star = any(line.split(",")[1:2] == ["*"] for line in sources.splitlines())
        return star and tracking.split(",")[-1] == "Normal", f"{sources} | {tracking}"

    def measurements(self):
        """Offsets (seconds) of the measurements.log rows chronyd accepted (tests all 1)."""
        path = self.dir / "measurements.log"
        if not path.exists():
            return []
        rows = []
        for line in path.read_text().splitlines():
            f = line.split()
            if len(f) >= 12 and f[0][0].isdigit() and set("".join(f[5:8])) == {"1"}:
                rows.append(float(f[11]))
        return rows


class FlipRelay:
    """A UDP relay on 127.0.0.1 (`self.port`) to 127.0.0.1:target that flips one byte (xor 0x01)
    of every request (client → server) or every response, at `offset` (negative: from the end).
    Stops with the test; counts what it relayed."""

    def __init__(self, target, direction, offset):
        import threading
        assert direction in ("request", "response")
        self.target, self.direction, self.offset = target, direction, offset
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.bind(("127.0.0.1", 0))
        self.port = self.front.getsockname()[1]
        self.client = None
        self.relayed = {"request": 0, "response": 0}
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _flip(self, data, direction):
        self.relayed[direction] += 1
        if direction != self.direction:
            return data
        data = bytearray(data)
        data[self.offset] ^= 0x01
        return bytes(data)

    def _run(self):
        import select
        while not self.stopping:
            ready, _, _ = select.select([self.front, self.back], [], [], 0.1)
            for sock in ready:
                data, peer = sock.recvfrom(4096)
                if sock is self.front:
                    self.client = peer
                    self.back.sendto(self._flip(data, "request"), ("127.0.0.1", self.target))
                elif self.client:
                    self.front.sendto(self._flip(data, "response"), self.client)

    def stop(self):
        self.stopping = True
        self.thread.join()
        self.front.close()
        self.back.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
