"""The console's REST API and live stream against a real collector fed by `simulate`: every
route and its documented shape (docs/openapi.yaml), 401 without the token, 400 naming the
parameter, 404, the limit cap, keyset pages that neither skip nor repeat while events arrive, and
a stream that resumes after a disconnect with nothing missed and nothing repeated."""
import json
import urllib.parse

import pytest

from peers import wait_for
from pipeline_support import Keys, simulate
from web_support import Console, WebSocket, check, check_response, schema


@pytest.fixture
def console(workdir):
    keys = Keys(workdir / "keys", agents=3)
    console = Console(keys, workdir / "data" / "events.db")
    console.keys = keys
    yield console
    console.stop()


def fill(console, agents=3, rate=100, duration=2):
    code, report = simulate(console.keys, console.collector, agents=agents, rate=rate,
                            duration=duration)
    assert code == 0, report
    return report


def test_token_file_is_private_and_the_url_is_logged(console):
    assert (console.token_file.stat().st_mode & 0o777) == 0o600
    assert f"http://127.0.0.1:{console.http_port}/#token={console.token}" in console.collector.process.log()


def test_every_route_needs_the_token_but_healthz(console):
    status, _, body = console.get("/healthz", token=None)
    assert status == 200 and body == {"status": "ok"}
    for path in ["/api/v1/agents", "/api/v1/agents/x", "/api/v1/events", "/api/v1/stats",
                 "/api/v1/events/x/1", "/api/v1/series/offset?agent=x", "/metrics"]:
        for token in (None, "wrong-token-0123456789"):
            status, headers, body = console.get(path, token=token)
            assert status == 401, (path, status, body)
            assert headers.get("WWW-Authenticate", "").startswith("Bearer")
            check(body, schema("Error"))
    ws = WebSocket(console.http_port, "/api/v1/stream")
    assert ws.status == 401
    ws.close()


def test_session_sets_an_http_only_strict_cookie_that_authenticates(console):
    status, headers, _ = console.get("/api/v1/session", token=None, method="POST",
                                     body=json.dumps({"token": "nope"}).encode(),
                                     headers={"Content-Type": "application/json"})
    assert status == 401
    status, headers, _ = console.get("/api/v1/session", token=None, method="POST",
                                     body=json.dumps({"token": console.token}).encode(),
                                     headers={"Content-Type": "application/json"})
    assert status == 204
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    value = cookie.split(";")[0]
    status, _, body = console.get("/api/v1/agents", token=None, headers={"Cookie": value})
    assert status == 200, body
    status, _, body = console.get("/api/v1/session", token=None, method="POST", body=b"{]")
    assert status == 400 and body["parameter"] == "token"


def test_agents_events_event_series_stats_match_the_openapi_document(console):
    report = fill(console)
    # The agents' counters and offsets are written by the collector's writer once no batch follows
    # (or once a second): shortly after the last acknowledgement, not with it.
    def offsets_written():
        return all(a["last_offset_seconds"] is not None
                   for a in console.get("/api/v1/agents")[2]["agents"] if a["id"] != "collector")
    wait_for(offsets_written, what="the agents' offsets in /api/v1/agents")
    status, _, body = console.get("/api/v1/agents")
    assert status == 200
    check_response("/api/v1/agents", 200, body)
    # "collector" is the author of the incidents the simulated events make (docs/alerts.md)
    ids = sorted(a["id"] for a in body["agents"] if a["id"] != "collector")
    assert ids == sorted(a["agent_id"] for a in report["agents"])
    agent = next(a for a in body["agents"] if a["id"] != "collector")
    assert agent["state"] == "up" and agent["last_event"] is not None
    assert agent["last_offset_seconds"] is not None and agent["last_offset_seconds"] > 0.1

    status, _, one = console.get("/api/v1/agents/" + urllib.parse.quote(agent["id"]))
    assert status == 200 and one["agent"]["id"] == agent["id"]
    check_response("/api/v1/agents/{id}", 200, one)

    status, _, page = console.get(f"/api/v1/events?agent={agent['id']}&limit=5")
    assert status == 200 and len(page["events"]) == 5 and page["next_cursor"]
    check_response("/api/v1/events", 200, page)
    stamps = [e["timestamp_ns"] for e in page["events"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first by default
    first = page["events"][0]

    status, _, event = console.get(f"/api/v1/events/{first['agent_id']}/{first['sequence']}")
    assert status == 200 and event["event"] == first
    check_response("/api/v1/events/{agent}/{sequence}", 200, event)

    status, _, scans = console.get("/api/v1/events?type=port_scan&severity=high&order=asc")
    assert status == 200 and scans["events"]
    assert all(e["type"] == "port_scan" for e in scans["events"])

    since = first["timestamp_ns"] // 10**9 - 60
    status, _, series = console.get(f"/api/v1/series/offset?agent={agent['id']}"
                                    f"&since={since}&step=10")
    assert status == 200 and series["step_seconds"] == 10 and series["points"]
    check_response("/api/v1/series/offset", 200, series)
    assert sum(p["count"] for p in series["points"]) > 0
    assert all(p["min"] <= p["mean"] <= p["max"] for p in series["points"])

    status, _, stats = console.get("/api/v1/stats")
    assert status == 200 and stats["events_stored"] >= sum(
        a["last_sequence"] - a["first_sequence"] + 1 for a in report["agents"])
    check_response("/api/v1/stats", 200, stats)


@pytest.mark.parametrize("query,parameter", [
    ("since=yesterday", "since"), ("until=2025-13-40", "until"), ("type=nonsense", "type"),
    ("severity=loud", "severity"), ("limit=0", "limit"), ("limit=abc", "limit"),
    ("order=sideways", "order"), ("cursor=p.1.2.zz", "cursor"), ("colour=red", "colour"),
    ("since=2025-01-02&until=2025-01-01", "until")])
def test_bad_event_parameters_get_400_naming_the_parameter(console, query, parameter):
    status, _, body = console.get("/api/v1/events?" + query)
    assert status == 400, body
    assert body["parameter"] == parameter
    check_response("/api/v1/events", 400, body)


def test_unknowns_are_404_and_bad_paths_400(console):
    fill(console, agents=1, duration=1)
    for path in ["/api/v1/nothing", "/api/v2/agents", "/api/v1/agents/no-such-agent",
                 "/api/v1/events/no-such-agent/1", "/no-such-file.js"]:
        status, _, body = console.get(path)
        assert status == 404, path
        check(body, schema("Error"))
    status, _, body = console.get("/api/v1/events/sim-0001/twelve")
    assert status == 400 and body["parameter"] == "sequence"
    status, _, body = console.get("/api/v1/series/offset")
    assert status == 400 and body["parameter"] == "agent"
    status, _, body = console.get("/api/v1/series/offset?agent=a&since=0&until=100000&step=1")
    assert status == 400 and body["parameter"] == "step"
    # SQL text in a value is a value: nothing matches, nothing breaks.
    status, _, body = console.get("/api/v1/events?agent=" + urllib.parse.quote("x' OR '1'='1"))
    assert status == 200 and body["events"] == []


def test_limit_is_capped(console):
    fill(console, agents=1, rate=700, duration=2)
    status, _, body = console.get("/api/v1/events?limit=5000")
    assert status == 200 and len(body["events"]) == 1000 and body["next_cursor"]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_neither_skip_nor_repeat_while_events_arrive(console, order):
    fill(console, agents=2, rate=200, duration=2)
    _, _, before = console.get("/api/v1/stats")
    present = set()
    cursor, pages = None, 0
    status, _, everything = console.get(f"/api/v1/events?limit=1000&order={order}")
    for_after = simulate(console.keys, console.collector, agents=3, rate=300, duration=4,
                         background=True)
    seen = []
    try:
        while True:
            path = f"/api/v1/events?limit=37&order={order}"
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor)
            status, _, page = console.get(path)
            assert status == 200, page
            seen += [(e["agent_id"], e["sequence"]) for e in page["events"]]
            keys = [(e["timestamp_ns"], e["agent_id"], e["sequence"]) for e in page["events"]]
            assert keys == sorted(keys, reverse=order == "desc")
            cursor, pages = page["next_cursor"], pages + 1
            if not cursor or pages > 5000:
                break
    finally:
        assert for_after.stop() is not None
    assert len(seen) == len(set(seen)), "a page repeated an event"
    stored_before = {(e["agent_id"], e["sequence"]) for e in everything["events"]}
    assert everything["next_cursor"] is None, "the store held more than one page before"
    missing = stored_before - set(seen)
    assert not missing, f"pages skipped {len(missing)} events stored before paging began"
    assert pages > 5


def all_pages(console, query):
    """Every (agent, sequence) the REST API lists for `query`, oldest first."""
    out, cursor = [], None
    while True:
        path = f"/api/v1/events?limit=1000&order=asc&{query}"
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        status, _, page = console.get(path)
        assert status == 200, page
        out += [(e["agent_id"], e["sequence"]) for e in page["events"]]
        cursor = page["next_cursor"]
        if not cursor:
            return out


def test_stream_sends_hello_then_live_events_and_resumes_with_nothing_missed(console):
    auth = {"Authorization": f"Bearer {console.token}"}
    ws = WebSocket(console.http_port, "/api/v1/stream?severity=low", headers=auth)
    assert ws.status == 101
    hello = ws.recv()
    check(hello, schema("StreamHello"))
    producer = simulate(console.keys, console.collector, agents=3, rate=200, duration=6,
                        background=True)
    try:
        received = []
        while len(received) < 300:
            frame = ws.recv()
            assert frame is not None, ws.close_reason
            if frame["type"] == "events":
                check(frame, schema("StreamEvents"))
                assert "stored_unix_ns" in frame, "a live batch says when it was stored"
                assert frame["cursor"] == frame["events"][-1]["cursor"]
                for item in frame["events"]:
                    assert item["event"]["severity"] != "info"
                received += frame["events"]
            elif frame["type"] == "agent":
                check(frame, schema("StreamAgent"))
        ws.close()  # disconnect while events keep arriving
        wait_for(lambda: not producer.alive(), timeout=60, what="simulate to finish")
    finally:
        producer.stop()
    wait_for(lambda: console.get("/api/v1/stats")[2]["events_queued"] == 0, timeout=20,
             what="everything stored")
    expected = all_pages(console, "severity=low")
    resumed = WebSocket(console.http_port,
                        "/api/v1/stream?severity=low&cursor=" + received[-1]["cursor"],
                        headers=auth)
    assert resumed.recv()["type"] == "hello"
    keys = [(f["event"]["agent_id"], f["event"]["sequence"]) for f in received]
    while len(keys) < len(expected):
        frame = resumed.recv()  # a socket timeout here means events were missed
        assert frame is not None, resumed.close_reason
        if frame["type"] == "events":
            check(frame, schema("StreamEvents"))
            keys += [(i["event"]["agent_id"], i["event"]["sequence"]) for i in frame["events"]]
    resumed.close()
    assert len(keys) == len(set(keys)), "the resumed stream repeated an event"
    # The stream was open before the first event was stored: it owes every one of them.
    assert set(keys) == set(expected), "the resumed stream missed events"
    _, _, stats = console.get("/api/v1/stats")
    assert stats["web"]["stream_resumed"] >= 1


def test_stream_refuses_bad_parameters(console):
    for query, parameter in [("cursor=p.1.1.00", "cursor"), ("type=zzz", "type")]:
        ws = WebSocket(console.http_port, "/api/v1/stream?" + query,
                       headers={"Authorization": f"Bearer {console.token}"})
        assert ws.status == 400, query
        ws.close()


def test_static_files_have_their_type_and_the_security_headers(console):
    status, headers, body = console.get("/", token=None)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<html" in body.lower()
    assert headers["Content-Security-Policy"] == "default-src 'self'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, _ = console.get("/index.html", token=None)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    status, headers, _ = console.get("/api/v1/agents")
    assert headers["Content-Security-Policy"] == "default-src 'self'"


def test_the_collector_pseudo_agent_is_no_agent(workdir):
    """Incidents are stored under the agent id `collector`: they are events (listed, streamed),
    but `collector` is not an agent — not in the agents list, not found by id, no per-agent
    metrics series."""
    keys = Keys(workdir / "keys", agents=6)
    console = Console(keys, workdir / "data" / "events.db")
    console.keys = keys
    try:
        fill(console, agents=6, rate=20, duration=2)  # six agents drifting the same way
        wait_for(lambda: console.get("/api/v1/events?agent=collector")[2]["events"], timeout=30,
                 what="a fleet incident stored under the agent id collector")
        _, _, body = console.get("/api/v1/agents")
        ids = {a["id"] for a in body["agents"]}
        assert len(ids) == 6 and "collector" not in ids, ids
        status, _, _ = console.get("/api/v1/agents/collector")
        assert status == 404
        _, _, metrics = console.get("/metrics")
        assert 'agent="collector"' not in metrics
        assert metrics.count("chronowatch_agent_up{") == 6
    finally:
        console.stop()
