"""`chronowatch serve --upstream SERVER --nts`: our server follows a chronyd 4.3 upstream through
NTS (RFC 8915). The upstream is named without a port: only chronyd's NTS-KE port record leads us
to its NTP port. With a trust store that does not hold chronyd's certificate we never synchronize:
the time really came through the authenticated path."""
import pathlib
import shutil
import tempfile

import pytest

from nts_support import ChronydNts, make_certificate
from peers import wait_for
from serve_support import Server


@pytest.fixture(scope="module")
def certificate():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-cert-"))
    shutil.chown(directory, "_chrony", "_chrony")
    yield make_certificate(directory)
    shutil.rmtree(directory, ignore_errors=True)


def follow(chronyd, ca):
    return Server("--upstream", "127.0.0.1", "--nts", "--nts-ca", ca, "--nts-ke-port",
                  chronyd.ke_port, "--min-poll", 0, "--max-poll", 0)


def test_serve_follows_an_nts_upstream(certificate):
    with ChronydNts(*certificate) as chronyd, follow(chronyd, certificate[0]) as ours:
        wait_for(lambda: "synchronized to 127.0.0.1" in ours.process.log(), timeout=30,
                 what="our server to synchronize through NTS")
        log = ours.process.log()
        assert f"NTP on port {chronyd.port}" in log, log
        reply = ours.query()
        assert reply.stratum == 3 and reply.leap == 0  # chronyd's stratum 2, plus one
        assert abs(reply.offset) < 0.001


def test_an_untrusted_nts_upstream_gives_no_time(certificate, tmp_path):
    other = pathlib.Path(tempfile.mkdtemp(prefix="cw-nts-other-"))
    try:
        shutil.chown(other, "_chrony", "_chrony")
        wrong, _ = make_certificate(other)
        with ChronydNts(*certificate) as chronyd, follow(chronyd, wrong) as ours:
            wait_for(lambda: "certificate verification failed" in ours.process.log(), timeout=20,
                     what="the NTS-KE to fail")
            assert "synchronized to" not in ours.process.log()
            assert ours.query().leap == 3  # no local stratum: unsynchronized
    finally:
        shutil.rmtree(other, ignore_errors=True)
