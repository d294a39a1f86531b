"""`chronowatch agent --nts` (RFC 8915): the agent measures its servers through NTS — against
chronyd 4.3 (once, honest and under faketime) and as a daemon against our own NTS server, where
its cookies last across polls (one NTS-KE for many polls) and an NTSN after our restart with new
keys makes it re-key by itself and go on."""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile

import pytest

from agent_helpers import start_daemon
from nts_support import ChronydNts, make_certificate, tcp_accepts
from peers import LIBFAKETIME, chronowatch_binary, free_port, wait_for
from serve_support import Server


@pytest.fixture(scope="module")
def certificate():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert-"))
    shutil.chown(directory, "_chrony", "_chrony")
    yield make_certificate(directory)
    shutil.rmtree(directory, ignore_errors=True)


def agent_env(ke_port, cert, spool, faketime=None):
    env = dict(os.environ)
    if faketime:
        env.update(LD_PRELOAD=LIBFAKETIME, FAKETIME=faketime, FAKETIME_DONT_RESET="1")
    # NTP_SRV names the server; its NTP port comes from NTS-KE. NTS through the environment.
    env.update(NTP_SRV="127.0.0.1:123", CW_AGENT_NTS="1", CW_AGENT_NTS_CA=str(cert),
               CW_AGENT_NTS_KE_PORT=str(ke_port), CW_SINK="stdout", CW_SPOOL_DIR=str(spool),
               CW_AGENT_ID="agent-nts")
    return env


def run_once(env):
    return subprocess.run([chronowatch_binary(), "agent", "--once", "--json"], env=env,
                          capture_output=True, text=True, timeout=60)


def summary(done):
    return json.loads([l for l in done.stdout.splitlines() if l.startswith('{"drift"')][-1])


def test_once_through_nts_with_chronyd(certificate, tmp_path):
    with ChronydNts(*certificate) as chronyd:
        done = run_once(agent_env(chronyd.ke_port, certificate[0], tmp_path))
        assert done.returncode == 0, done.stderr
        out = summary(done)
        assert out["drift"] is False and abs(out["offset"]) < 0.001, out
        ahead = run_once(agent_env(chronyd.ke_port, certificate[0], tmp_path, faketime="+600s"))
        assert ahead.returncode == 3, ahead.stderr  # drift found and delivered (stdout)
        assert summary(ahead)["offset"] == pytest.approx(-600, abs=1)


def test_once_without_a_trusted_certificate_gets_no_time(certificate, tmp_path):
    with ChronydNts(*certificate) as chronyd:
        other = tmp_path / "other"
        other.mkdir()
        shutil.chown(other, "_chrony", "_chrony")
        wrong, _ = make_certificate(other)
        done = run_once(agent_env(chronyd.ke_port, wrong, tmp_path))
        assert done.returncode == 4, done.stderr  # no NTP server answered (usably)
        assert "certificate verification failed" in done.stderr, done.stderr


def ke_completed(server):
    server.counters()
    line = [l for l in server.process.log().splitlines() if "NTS-KE:" in l][-1]
    return int(line.split(" completed")[0].split()[-1])


def test_daemon_keeps_cookies_across_polls_and_rekeys_after_ntsn(certificate, tmp_path):
    cert, key = certificate
    port, ke_port = free_port(), free_port(socket.SOCK_STREAM)
    args = ["--upstream", "none", "--local-stratum", 2, "--nts-cert", cert, "--nts-key", key,
            "--nts-ke-listen", f"127.0.0.1:{ke_port}"]
    server = Server(*args, port=port)
    wait_for(lambda: tcp_accepts(ke_port), what="our NTS-KE")
    agent = start_daemon(agent_env(ke_port, cert, tmp_path), "--poll-interval", "1", "--burst", "1")
    try:
        wait_for(lambda: server.counters()["outcomes"]["answered_nts"] >= 5, timeout=30,
                 what="five NTS polls")
        assert ke_completed(server) == 1  # one NTS-KE, then cookies from every reply
        assert server.counters()["outcomes"]["nts_nak"] == 0
        server.stop()  # new master keys on restart (no key file): the agent's cookies are dead
        server = Server(*args, port=port)
        wait_for(lambda: tcp_accepts(ke_port), what="our NTS-KE again")
        wait_for(lambda: server.counters()["outcomes"]["answered_nts"] >= 3, timeout=30,
                 what="NTS answers after the restart")
        outcomes = server.counters()["outcomes"]
        assert outcomes["nts_nak"] >= 1, outcomes  # the old cookie was refused with NTSN...
        assert ke_completed(server) == 1  # ...and the agent made a new NTS-KE by itself
        assert agent.alive(), agent.log()
    finally:
        agent.stop()
        server.stop()


def test_chronyd_restarted_with_its_dump_dir_still_takes_our_cookies(certificate, tmp_path):
    dump = pathlib.Path(tempfile.mkdtemp(prefix="cw-ntsdump-"))  # chronyd runs as _chrony
    shutil.chown(dump, "_chrony", "_chrony")
    port, ke_port = free_port(), free_port(socket.SOCK_STREAM)
    chronyd = ChronydNts(*certificate, port=port, ke_port=ke_port, dump_dir=dump)
    agent = start_daemon(agent_env(ke_port, certificate[0], tmp_path), "--poll-interval", "1",
                         "--burst", "1", "--log-level", "debug")
    try:
        wait_for(lambda: agent.log().count("NTS-KE done") == 1 and "ntp:" not in agent.log(),
                 timeout=20, what="the agent's NTS-KE")
        chronyd.stop()
        assert (dump / "ntskeys").exists()  # chronyd dumped its keys
        chronyd = ChronydNts(*certificate, port=port, ke_port=ke_port, dump_dir=dump)
        polls = agent.log().count("poll round: 1 server(s), offset")
        # Several polls after the restart, all through NTS with the cookies from before it.
        wait_for(lambda: agent.log().count("poll round: 1 server(s), offset") >= polls + 3, timeout=30,
                 what="polls after chronyd's restart")
        assert agent.log().count("NTS-KE done") == 1, agent.log()  # no new NTS-KE needed
        assert "NTSN" not in agent.log() and "answers again" not in agent.log(), agent.log()
    finally:
        agent.stop()
        chronyd.stop()
        shutil.rmtree(dump, ignore_errors=True)
