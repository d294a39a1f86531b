"""PostgreSQL high availability under the collector: a primary with a synchronous standby
(`pg_basebackup -R`, `synchronous_standby_names = '*'`), the collector given both hosts
(`host=A,B target_session_attrs=read-write`). The primary is killed mid-stream and the standby
promoted: the collector reconnects to the new primary, and every event acknowledged to the agents
— before and after — is there exactly once. (The last session's "no chronowatch schema" on the
promoted standby: the keyword conninfo was passed as --db, so the collector wrote a SQLite file
named after it and PostgreSQL never saw an event; pipeline_support.store_args now passes it as
--store.)"""
import collections
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile

from peers import PG_BIN, Postgres, wait_for
from pipeline_support import Collector, Keys, assert_exactly_once, json_lines, run, simulate


class Standby(Postgres):
    """A hot standby of `primary` made with pg_basebackup -R, on its own socket directory."""

    def __init__(self, primary):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="cw-pg-standby-"))
        self.data = self.dir / "data"
        self._as = primary._as
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        # --checkpoint=fast: the default (spread) paces the primary's checkpoint over
        # checkpoint_completion_target × checkpoint_timeout, ~90 s of an idle cluster's time here.
        subprocess.run([*self._as, PG_BIN / "pg_basebackup", "-h", primary.dir, "-p", "5432",
                        "-U", "postgres", "-D", self.data, "-R", "-X", "stream",
                        "--checkpoint=fast"],
                       check=True, capture_output=True)
        self.process = None
        self.start()

    def promote(self):
        subprocess.run([*self._as, PG_BIN / "pg_ctl", "promote", "-w", "-D", self.data],
                       check=True, capture_output=True)
        # The primary's setting came with the base backup: alone now, it must not wait for a
        # synchronous standby it does not have.
        self.psql("ALTER SYSTEM RESET synchronous_standby_names")
        self.psql("SELECT pg_reload_conf()")


def test_primary_killed_standby_promoted_every_acknowledged_event_is_there(tmp_path):
    with Postgres() as primary:
        # Made before the primary waits for a synchronous standby (a commit would wait forever).
        primary.create_database("ha")
        with Standby(primary) as standby:
            primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
            primary.psql("SELECT pg_reload_conf()")
            wait_for(lambda: primary.psql("SELECT count(*) FROM pg_stat_replication "
                                          "WHERE sync_state = 'sync'").strip() == "1",
                     timeout=30, what="the standby replicating synchronously")
            both = (f"host={primary.dir},{standby.dir} port=5432,5432 user=postgres dbname=ha "
                    "target_session_attrs=read-write connect_timeout=2")
            keys = Keys(tmp_path / "keys", agents=10)
            collector = Collector(keys, both)
            sim = simulate(keys, collector, agents=10, rate=100, duration=8, drain=60,
                           background=True)
            try:
                wait_for(lambda: (collector.stats() or {}).get("events_stored", 0) > 1000,
                         timeout=30, what="events stored on the primary")
                primary.process.stop(signal.SIGKILL)
                standby.promote()
                stored_at_kill = collector.stats()["events_stored"]
                wait_for(lambda: collector.stats()["events_stored"] > stored_at_kill, timeout=40,
                         what="the collector storing on the promoted standby")
                sim.popen.wait(timeout=120)
                assert sim.popen.returncode == 0, sim.log()[-3000:]
                report = json_lines(sim.log())[-1]
            finally:
                collector.stop()
                sim.stop()
            on_new_primary = standby.url("ha")
            assert report["total_acknowledged"] == report["total_sent"]
            assert_exactly_once(on_new_primary, report)
            stored = json_lines(run("events", "--store", on_new_primary, "--json").stdout)
            # The agents' own events; the collector's (agent_down/agent_up, its incidents under
            # the agent id `collector`, docs/alerts.md) are beside them.
            own = [e for e in stored if e["agent_id"] != "collector"
                   and e["type"] not in ("agent_down", "agent_up")]
            extra = collections.Counter((e["agent_id"] == "collector", e["type"])
                                        for e in stored if e not in own)
            assert len(own) == report["total_acknowledged"], extra
