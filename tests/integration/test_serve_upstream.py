"""chronowatch serve syncing from an upstream with the client core: from a chronyd that runs
under faketime '+3s' (so its clock is exactly 3 s ahead) it serves time 3 s ahead, as ntplib and
chronyd -Q both see, at chronyd's stratum + 1 with chronyd's address as refid — without touching
this machine's clock (the virtual clock)."""
import struct

from peers import Chronyd, free_port, wait_for
from serve_support import Server, best_of, chronyd_measure


def test_serves_the_upstream_time_three_seconds_ahead():
    with Chronyd(stratum=2, faketime="+3s") as upstream:
        with Server("--upstream", f"127.0.0.1:{upstream.port}") as server:
            wait_for(lambda: "synchronized to" in server.process.log(), timeout=20,
                     what="our server to sync from chronyd")
            reply = best_of(server)
            assert abs(reply.offset - 3.0) < 0.05, reply.offset
            assert reply.stratum == 3
            assert reply.leap == 0
            assert struct.pack("!I", reply.ref_id) == bytes([127, 0, 0, 1])
            offset, log = chronyd_measure(server.port)
            assert offset is not None and abs(offset - 3.0) < 0.05, log
            serving = server.counters()["serving"]
            assert abs(serving["offset"] - 3.0) < 0.05
            assert serving["root_dispersion"] < 1.0


def test_unreachable_upstream_falls_back_to_local_stratum():
    dead = free_port()
    with Server("--upstream", f"127.0.0.1:{dead}", "--local-stratum", "8") as server:
        reply = server.query()
        assert reply.stratum == 8 and reply.leap == 0
        assert "synchronized to" not in server.process.log()


def test_unreachable_upstream_without_local_stratum_is_unsynchronized():
    with Server("--upstream", f"127.0.0.1:{free_port()}") as server:
        reply = server.query()
        assert reply.leap == 3
