"""Helpers for the console tests: a collector with its console on a free loopback port, HTTP
requests with or without the token, a minimal WebSocket client (RFC 6455, text frames), and a
checker of JSON bodies against the schemas of docs/openapi.yaml."""
import base64
import json
import os
import pathlib
import socket
import struct
import urllib.error
import urllib.request

import yaml

from peers import REPO, free_port, wait_for
from pipeline_support import Collector

OPENAPI = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())


class Console:
    """A collector (pipeline_support.Collector) with --http on a free port, and its token."""

    def __init__(self, keys, db, extra=(), token_file=None, endpoint=None):
        """token_file: --web-token-file (needed when `db` is a URL); endpoint: the collector's
        --listen when not tcp on loopback (pipeline_support.Collector)."""
        self.http_port = free_port(socket.SOCK_STREAM)
        self.token_file = pathlib.Path(token_file or pathlib.Path(db).parent / "web-token")
        if token_file:
            extra = ("--web-token-file", str(token_file), *extra)
        self.collector = Collector(keys, db, extra=("--http", f"127.0.0.1:{self.http_port}",
                                                    *extra), endpoint=endpoint)
        wait_for(lambda: self.token_file.exists(), timeout=10, what="the web token file")
        self.token = self.token_file.read_text().strip()
        self.base = f"http://127.0.0.1:{self.http_port}"
        wait_for(lambda: self.get("/healthz", token=None)[0] == 200, timeout=10,
                 what="the console's /healthz")

    def get(self, path, token="default", headers=None, method="GET", body=None):
        """(status, headers, parsed JSON or text) of one request."""
        request = urllib.request.Request(self.base + path, method=method, data=body)
        if token == "default":
            token = self.token
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, got_headers, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, got_headers, raw = error.code, dict(error.headers), error.read()
        text = raw.decode("utf-8", "replace")
        content_type = got_headers.get("Content-Type", "")
        return status, got_headers, (json.loads(text) if content_type.startswith(
            "application/json") and text else text)

    def stop(self):
        return self.collector.stop()


class WebSocket:
    """A WebSocket client of text frames, enough for the stream."""

    def __init__(self, port, path, headers=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head else 0
        self.close_reason = None

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self):
        """The next text message (its fragments joined), parsed as JSON; None when the server
        closed."""
        message = None
        while True:
            b0, b1 = self._read(2)
            opcode, length = b0 & 0x0F, b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            if opcode == 0x8:
                self.close_reason = payload[2:].decode(errors="replace")
                return None
            if opcode == 0x1:
                message = payload
            elif opcode == 0x0 and message is not None:
                message += payload  # a continuation
            if message is not None and b0 & 0x80:  # FIN
                return json.loads(message)

    def close(self):
        try:
            self.sock.sendall(b"\x88\x80" + os.urandom(4))
        except OSError:
            pass
        self.sock.close()


def schema(name):
    return OPENAPI["components"]["schemas"][name]


def check(value, spec, where="$"):
    """Raises AssertionError where `value` does not fit the OpenAPI 3.0 schema `spec`."""
    if "$ref" in spec:
        return check(value, schema(spec["$ref"].rsplit("/", 1)[1]), where)
    if value is None:
        assert spec.get("nullable"), f"{where}: null where the schema does not allow it"
        return
    if "oneOf" in spec:
        errors = []
        for option in spec["oneOf"]:
            try:
                return check(value, option, where)
            except AssertionError as error:
                errors.append(str(error))
        raise AssertionError(f"{where}: fits no oneOf option: {errors}")
    kind = spec.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool,
             "integer": int, "number": (int, float)}
    if kind:
        assert isinstance(value, types[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)), \
            f"{where}: {value!r} is not {kind}"
    if "enum" in spec:
        assert value in spec["enum"], f"{where}: {value!r} not in {spec['enum']}"
    if kind == "object":
        for name in spec.get("required", []):
            assert name in value, f"{where}: missing {name}"
        for name, sub in spec.get("properties", {}).items():
            if name in value:
                check(value[name], sub, f"{where}.{name}")
        if spec.get("additionalProperties") is False:
            extra = set(value) - set(spec.get("properties", {}))
            assert not extra, f"{where}: properties not in the schema: {extra}"
    if kind == "array":
        for i, item in enumerate(value):
            check(item, spec.get("items", {}), f"{where}[{i}]")


def check_response(path_template, status, body, method="get"):
    """Checks `body` against the documented response of `path_template` for `status`."""
    operation = OPENAPI["paths"][path_template][method]
    response = operation["responses"].get(str(status))
    assert response, f"{method.upper()} {path_template}: status {status} is not documented"
    content = response.get("content", {})
    if "application/json" in content:
        check(body, content["application/json"]["schema"])
