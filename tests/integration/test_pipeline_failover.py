"""Several collectors on one PostgreSQL (started by the test): 200 simulated agents list both
collectors; one collector is killed with SIGKILL mid-stream, restarted, then the other is killed.
Every agent fails over and its spool resends what was not acknowledged: at the end every agent's
stored sequences are contiguous, and the total equals what `simulate --json` says was
acknowledged — 0 lost, 0 duplicated. Failovers are counted on both sides."""
import signal

from peers import Postgres, wait_for
from pipeline_support import Collector, Keys, assert_exactly_once, json_lines, run, stored_events
from pipeline_support import simulate

AGENTS = 200


def stat(collector, name):
    stats = collector.stats()
    return stats.get(name, 0) if stats else 0


def test_two_collectors_one_killed_restarted_then_the_other_lose_and_double_nothing(tmp_path):
    with Postgres() as postgres:
        url = postgres.create_database("failover")
        keys = Keys(tmp_path / "keys", agents=AGENTS)  # both collectors share the key pair
        first, second = Collector(keys, url), Collector(keys, url)
        endpoints = f"{first.endpoint},{second.endpoint}"
        sim = simulate(keys, first, agents=AGENTS, rate=10, duration=16, drain=60,
                       background=True, extra=("--collector", endpoints, "--failover-after", "2"))
        try:
            wait_for(lambda: stat(first, "events_stored") > 0 and stat(second, "events_stored") > 0,
                     timeout=20, what="both collectors storing")
            first.process.stop(signal.SIGKILL)
            wait_for(lambda: stat(second, "agents_taken_over") > 0, timeout=20,
                     what="agents of the killed collector failing over to the other")
            first = Collector(keys, url, port=first.port)  # restarted where it was
            second.process.stop(signal.SIGKILL)
            wait_for(lambda: stat(first, "agents_taken_over") > 0, timeout=20,
                     what="every agent failing over to the restarted collector")
            sim.popen.wait(timeout=120)
            assert sim.popen.returncode == 0, sim.log()[-3000:]
            report = json_lines(sim.log())[-1]
        finally:
            for collector in (first, second):
                collector.stop()
            sim.stop()
        stored = stored_events(url)
        assert sum(len(s) for s in stored.values()) == report["total_acknowledged"]
        assert report["total_acknowledged"] == report["total_sent"]
        assert_exactly_once(url, report)
        for agent in report["agents"]:
            sequences = sorted(stored[agent["agent_id"]])
            assert sequences == list(range(sequences[0], sequences[-1] + 1)), agent["agent_id"]
        assert report["total_failovers"] >= AGENTS // 2  # every agent moved at least once or twice
        assert {a["collector"] for a in report["agents"]} == {first.endpoint}
        assert "failing over to" in sim.log()
        assert "fails over from another collector" in first.process.log()


def test_agent_down_is_raised_once_across_collectors(tmp_path):
    """Both collectors hear agents (each its own half); when they fall silent, the one holding the
    store's advisory lock raises one agent_down per agent — not one per collector."""
    with Postgres() as postgres:
        url = postgres.create_database("liveness")
        keys = Keys(tmp_path / "keys", agents=10)
        liveness = ("--heartbeat-interval", "0.5", "--liveness-grace", "0.5")
        first, second = Collector(keys, url, extra=liveness), Collector(keys, url, extra=liveness)
        try:
            code, report = simulate(keys, first, agents=10, rate=20, duration=1,
                                    extra=("--collector", f"{first.endpoint},{second.endpoint}"))
            assert code == 0, report
            assert len({a["collector"] for a in report["agents"]}) == 2, "both have agents"

            def downs():
                return [e for e in json_lines(run("events", "--store", url, "--json",
                                                  "--type", "agent_down").stdout)]
            wait_for(lambda: len(downs()) >= 10, timeout=20, what="agent_down for every agent")
            wait_for(lambda: stat(first, "uptime_s") > 0 and stat(second, "uptime_s") > 0)
            leaders = [c for c in (first, second) if c.stats()["liveness_leader"]]
            assert len(leaders) == 1
            before = len(downs())
            wait_for(lambda: all(stat(c, "uptime_s") > 6 for c in (first, second)), timeout=20,
                     what="a few more sweeps")
            assert len(downs()) == before == 10
            assert sorted(e["agent_id"] for e in downs()) == [f"sim-{i:04d}" for i in range(1, 11)]
        finally:
            first.stop()
            second.stop()


def test_a_collector_welcomes_with_what_the_store_holds_not_what_it_saw(tmp_path):
    """Agents stream to one collector, then (a new run) to another that was up all along but
    never saw them: it must welcome them with the store's next sequence, or a simulated agent
    (which continues the collector's numbering) would reuse sequences."""
    with Postgres() as postgres:
        url = postgres.create_database("welcome")
        keys = Keys(tmp_path / "keys", agents=5)
        first, second = Collector(keys, url), Collector(keys, url)
        try:
            code, one = simulate(keys, first, agents=5, rate=50, duration=1)
            assert code == 0, one
            code, two = simulate(keys, second, agents=5, rate=50, duration=1)
            assert code == 0, two
        finally:
            first.stop()
            second.stop()
        stored = stored_events(url)
        for a, b in zip(one["agents"], two["agents"]):
            assert b["first_sequence"] == a["last_sequence"] + 1, b
            sequences = sorted(stored[a["agent_id"]])
            assert sequences == list(range(1, b["last_sequence"] + 1)), a["agent_id"]
        assert stat(second, "agents_taken_over") == 5
