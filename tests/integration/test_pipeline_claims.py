"""A CURVE key speaks only for the agent id it is bound to (docs/pipeline.md, "Security"): the
collector refuses — counts, logs once, never stores — a hello in which the key of agent A claims
agent B; the same connection may then say hello as A. A .pub file's `agents:` line grants more
ids (checked through `chronowatch replay` in test_pipeline_replay.py)."""
import time

import zmq

from peers import wait_for
from pipeline_support import (Collector, Keys, agent_start_batch_frame, curve_dealer, hello_frame,
                              stored_events)


def test_a_key_cannot_claim_another_agents_id(tmp_path):
    keys = Keys(tmp_path, agents=2)
    db = tmp_path / "events.db"
    collector = Collector(keys, db)
    try:
        forger = curve_dealer(keys, collector, "sim-0001", timeout_ms=1500)
        for _ in range(3):  # sim-0001's key says it is sim-0002: no welcome
            forger.send(hello_frame("sim-0002"))
            try:
                reply = forger.recv()
            except zmq.Again:
                reply = None
            assert reply is None, reply
        # Its events are not taken: the connection has no accepted hello.
        forger.send(agent_start_batch_frame(1, time.time_ns()))
        assert forger.recv() == b"N\x01\x00"
        wait_for(lambda: collector.stats()["claims_refused"] >= 3, what="refusals counted")
        # The same key, as itself: welcomed, and its event is stored and acknowledged.
        forger.send(hello_frame("sim-0001"))
        assert forger.recv() == b"W\x01\x01"
        forger.send(agent_start_batch_frame(1, time.time_ns()))
        assert forger.recv() == b"A\x01\x02"
        forger.close()
    finally:
        assert collector.stop() == 0
    log = collector.process.log()
    assert log.count("refused a hello as agent sim-0002 from the key sim-0001") == 1, log
    final = collector.stats()
    assert final["claims_refused"] == 3
    assert final["malformed_frames"] == 0
    assert stored_events(db) == {"sim-0001": [1]}
