"""The console over TLS (--http-cert/--http-key): HTTPS answers with the token, a plain-HTTP
request to the TLS port gets no answer, and the logged URL says https. A non-loopback listener
without TLS logs its warning."""
import json
import socket
import ssl
import subprocess
import urllib.request

from peers import free_port, wait_for
from pipeline_support import Keys
from web_support import Console


def self_signed(directory):
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class TlsConsole(Console):
    def __init__(self, keys, db, cert, key):
        self.cert = cert
        super().__init__(keys, db, extra=("--http-cert", str(cert), "--http-key", str(key)))

    def get(self, path, token="default", headers=None, method="GET", body=None):
        context = ssl.create_default_context(cafile=str(self.cert))
        request = urllib.request.Request(f"https://127.0.0.1:{self.http_port}{path}")
        if token == "default":
            token = self.token
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())
        except OSError as error:
            print("TLS request failed:", repr(error))
            return 0, {}, None


def test_console_over_tls(workdir):
    cert, key = self_signed(workdir)
    keys = Keys(workdir / "keys", agents=1)
    console = TlsConsole(keys, workdir / "data" / "events.db", cert, key)
    try:
        assert f"https://127.0.0.1:{console.http_port}/#token=" in console.collector.process.log()
        status, _, body = console.get("/api/v1/agents")
        assert status == 200 and body == {"agents": []}
        assert console.get("/api/v1/agents", token=None)[0] == 401
        with socket.create_connection(("127.0.0.1", console.http_port), timeout=5) as plain:
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                answer = plain.recv(100)
            except OSError:
                answer = b""
            assert not answer.startswith(b"HTTP/1.1 200")
    finally:
        console.stop()


def test_non_loopback_without_tls_warns(workdir):
    keys = Keys(workdir / "keys", agents=1)
    port = free_port(socket.SOCK_STREAM)
    from pipeline_support import Collector
    collector = Collector(keys, workdir / "data" / "events.db", extra=("--http", f"0.0.0.0:{port}"))
    try:
        wait_for(lambda: "without TLS" in collector.process.log(), timeout=10,
                 what="the warning about a non-loopback listener without TLS")
    finally:
        collector.stop()
