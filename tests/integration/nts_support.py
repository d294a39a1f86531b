"""NTS (RFC 8915) helpers for integration tests: a test-made certificate that GnuTLS inside
chronyd accepts (IP and DNS SANs, digitalSignature, serverAuth), and chronyd as an NTS server
(NTS-KE on its own TCP port, NTP on a UDP port), started and stopped like every other peer."""
import pathlib
import shutil
import socket
import subprocess

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
