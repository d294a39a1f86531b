"""chronowatch serve refuses a listen address another process holds: a running chronyd sets
SO_REUSEPORT on its server socket, which used to let serve share the port, so that the kernel split
clients between two servers with different clocks. serve now exits 3 saying "address in use by
another process"; its own worker threads still share the address among themselves."""
import subprocess

from peers import Chronyd, chronowatch_binary, free_port, ntp_answers, without_cap_sys_time
from serve_support import Server


def serve_on(port, *extra):
    argv = [chronowatch_binary(), "serve", "--listen", f"127.0.0.1:{port}", "--threads", "4",
            "--upstream", "none", "--local-stratum", "3", *extra]
    return subprocess.run(without_cap_sys_time(argv), capture_output=True, text=True, timeout=30)


def test_a_port_chronyd_holds_is_refused():
    with Chronyd() as chronyd:
        result = serve_on(chronyd.port)
        assert result.returncode == 3, result.stderr
        assert "address in use by another process" in result.stderr
        assert f"127.0.0.1:{chronyd.port}" in result.stderr
        assert ntp_answers(chronyd.port)  # chronyd still serves, alone


def test_workers_share_a_free_port_among_themselves():
    port = free_port()
    with Server("--upstream", "none", "--local-stratum", "3", port=port, threads=4) as server:
        assert server.query().stratum == 3
        # Once serve holds the port, a second serve is refused in the same way.
        result = serve_on(port)
        assert result.returncode == 3, result.stderr
        assert "address in use by another process" in result.stderr
