"""The console's live stream across collectors, against a real PostgreSQL 15 started by the test
(peers.Postgres): a dashboard connected to collector A's console sees, live and exactly once,
the events that agents sent to collector B only — B's commits NOTIFY, A's console wakes and
reads the rows after its cursor (docs/store.md, "Live stream across collectors")."""
import pytest

from peers import Postgres, wait_for
from pipeline_support import Collector, Keys, simulate, stored_events
from web_support import Console, WebSocket


@pytest.fixture(scope="module")
def postgres():
    with Postgres() as cluster:
        yield cluster


def stream_keys(ws, want, what):
    """(agent_id, sequence) of the agents' events in the stream's frames until `want` of them."""
    keys = []
    while len(keys) < want:
        frame = ws.recv()  # a socket timeout here: the stream stopped short of `want`
        assert frame is not None, ws.close_reason
        if frame["type"] == "events":
            keys += [(i["event"]["agent_id"], i["event"]["sequence"]) for i in frame["events"]
                     if i["event"]["agent_id"] != "collector" and
                     isinstance(i["event"]["sequence"], int) and i["event"]["sequence"] < 2**63]
    return keys


def test_a_console_streams_what_another_collector_stored(postgres, tmp_path):
    url = postgres.create_database("stream_across")
    keys = Keys(tmp_path / "keys", agents=4)
    keys.authorize(2, "own")  # second round: agents of A
    keys.authorize(4, "far")  # and of B, at the same time
    console = Console(keys, url, token_file=tmp_path / "web-token")  # collector A
    other = Collector(keys, url)                                     # collector B, no console
    auth = {"Authorization": f"Bearer {console.token}"}
    ws = WebSocket(console.http_port, "/api/v1/stream", headers=auth, timeout=20)
    try:
        assert ws.status == 101
        assert ws.recv()["type"] == "hello"
        code, report = simulate(keys, other, agents=4, rate=100, duration=3)
        assert code == 0, report
        acknowledged = sum(a["acknowledged"] for a in report["agents"])
        assert acknowledged >= 4 * 250, report
        assert console.collector.stats()["events_stored"] == 0, "A stored none of them"
        got = stream_keys(ws, acknowledged, "B's events on A's stream")
        assert len(got) == len(set(got)), "the stream repeated an event"
        stored = {(agent, s) for agent, seqs in stored_events(url).items() for s in seqs}
        assert set(got) == stored, "the stream's events are not what the store holds"
        # Then agents on both collectors at once: A's own commits and B's, one ordered stream.
        mine = simulate(keys, console.collector, agents=2, rate=100, duration=2, prefix="own",
                        background=True)
        code, report = simulate(keys, other, agents=4, rate=100, duration=2, prefix="far")
        wait_for(lambda: not mine.alive(), timeout=60, what="A's agents done")
        assert code == 0 and mine.stop() == 0, (report, mine.log())
        wait_for(lambda: console.collector.stats()["events_queued"] == 0 and
                 other.stats()["events_queued"] == 0, timeout=30, what="everything stored")
        stored_now = {(agent, s) for agent, seqs in stored_events(url).items() for s in seqs}
        more = stream_keys(ws, len(stored_now) - len(stored), "events from both collectors")
        assert len(more) == len(set(more)), "the stream repeated an event"
        assert set(got) | set(more) == stored_now, "the stream missed events"
    finally:
        ws.close()
        console.stop()
        other.stop()
