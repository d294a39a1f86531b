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
from serve_support import Server, best_of


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
        reply = best_of(ours)  # the least delayed of 8 queries
        assert reply.stratum == 3 and reply.leap == 0  # chronyd's stratum 2, plus one
        # chronyd, our server and this test read one clock: the true offset is 0, and our time
        # is right within the error bound RFC 5905 gives it (half this query's delay, half the
        # root delay, which holds the delay of our last NTS sample of chronyd, plus the root
        # dispersion, each to the 2^-16 s of their wire format). A late wakeup of either server
        # widens a delay, and the bound with it; a time that did not come from chronyd through NTS
        # is seconds off. The dispersion is bounded too, so that the bound means something (it was
        # 48 µs in a run here, at load 10).
        bound = reply.delay / 2 + reply.root_delay / 2 + reply.root_dispersion + 2 * 2**-16
        assert abs(reply.offset) <= bound, (reply.offset, reply.delay, reply.root_delay,
                                            reply.root_dispersion)
        assert reply.root_dispersion < 0.1, reply.root_dispersion


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
