"""Our alerts in a real Alertmanager (Debian's prometheus-alertmanager on loopback, its own config
and storage): a drift agent (libfaketime +600 s against a loopback chronyd) makes a time_drift
alert that Alertmanager's API shows with our labels; the agent's clock back to honest resolves it
and Alertmanager no longer lists it as active."""
from agent_helpers import agent_env
from alert_support import Alertmanager, ShiftableClock, alert_stats, start_agent
from peers import free_port, wait_for
from pipeline_support import Collector, Keys


def ours(manager):
    return [a for a in manager.alerts() if a["labels"].get("alertname") == "time_drift"]


def test_alertmanager_shows_our_alert_with_our_labels_and_our_resolve_clears_it(
        chronyd, spool, tmp_path):
    manager = Alertmanager(tmp_path / "am")
    keys = Keys(tmp_path, agents=1, prefix="drift")
    collector = Collector(keys, tmp_path / "events.db",
                          extra=["--alert-alertmanager", manager.url,
                                 "--alert-repost-interval", "2"])
    clock = ShiftableClock(tmp_path / "offset", "+600s")
    env = clock.env(agent_env(chronyd.port, free_port(), spool, CW_AGENT_ID="drift-0001"))
    agent = start_agent(env, keys, collector, "drift-0001")
    try:
        wait_for(lambda: ours(manager), timeout=30, what="our alert in Alertmanager")
        alert = ours(manager)[0]
        assert alert["labels"]["agent"] == "drift-0001"
        assert alert["labels"]["rule"] == "time_drift"
        assert alert["labels"]["severity"] == "high"
        assert "drift-0001" in alert["annotations"]["summary"]
        assert alert["status"]["state"] == "active"
        # Re-posted while firing (Alertmanager would otherwise resolve it after its timeout).
        wait_for(lambda: any(r["reposts"] >= 1 for r in alert_stats(collector)["receivers"]),
                 timeout=15, what="a re-post of the firing alert")
        clock.set("+0s")
        wait_for(lambda: not ours(manager), timeout=40, what="our resolve clearing it")
        # The counters are the collector's periodic --json snapshot (every 0.3 s), and a delivery
        # is counted once the outbox has forgotten it, after Alertmanager answered: wait for it.
        wait_for(lambda: alert_stats(collector)["receivers"][0]["delivered"] >= 2, timeout=5,
                 what="the resolve counted as delivered")
        stats = alert_stats(collector)["receivers"][0]
        assert stats["kind"] == "alertmanager" and stats["failures"] == 0, stats
    finally:
        agent.stop()
        assert collector.stop() == 0, collector.process.log()
        manager.stop()
