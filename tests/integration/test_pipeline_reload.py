"""The collector re-reads its allow-list directory on SIGHUP and when it changes (docs/pipeline.md,
"Security"), counted in `authorized_keys`: a .pub file rewritten with its old modification times
restored (no change visible) counts only after SIGHUP, and then its key is welcomed; a .pub file
added, and an `agents:` grant edited into a file in place, are read without a signal."""
import os
import shutil
import signal

import zmq

from peers import wait_for
from pipeline_support import Collector, Keys, curve_dealer, hello_frame, run


def rewrite_unseen(path, text):
    """Rewrite a file in place and restore its and its directory's modification times."""
    before, directory = os.stat(path), os.stat(path.parent)
    with open(path, "r+") as f:
        f.write(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.utime(path.parent, ns=(directory.st_atime_ns, directory.st_mtime_ns))


def welcomed(keys, collector, key, agent):
    peer = curve_dealer(keys, collector, key, timeout_ms=1500)
    peer.send(hello_frame(agent))
    try:
        return peer.recv()[:1] == b"W"
    except zmq.Again:
        return False
    finally:
        peer.close()


def test_allow_list_is_reread_on_sighup_and_on_change(tmp_path):
    keys = Keys(tmp_path, agents=1)
    for name in ("late", "added"):
        run("keygen", "--out", keys.agents, "--name", name)
    placeholder = keys.authorized / "late.pub"
    placeholder.write_text("# late's key goes here" + " " * 200 + "\n")  # not a key: skipped
    collector = Collector(keys, tmp_path / "events.db")
    try:
        assert collector.stats()["authorized_keys"] == 1
        rewrite_unseen(placeholder, (keys.agents / "late.pub").read_text())
        # Once the collector has looked at the directory twice since, it has seen no change.
        looked = collector.stats()["allow_list_checks"]
        wait_for(lambda: collector.stats()["allow_list_checks"] >= looked + 2,
                 what="the collector to look at its allow-list directory")
        assert collector.stats()["authorized_keys"] == 1  # nothing visible changed
        collector.process.send_signal(signal.SIGHUP)
        wait_for(lambda: collector.stats()["authorized_keys"] == 2, what="SIGHUP reload")
        assert welcomed(keys, collector, "late", "late")

        shutil.copy(keys.agents / "added.pub", keys.authorized / "added.pub")
        wait_for(lambda: collector.stats()["authorized_keys"] == 3, what="reload on a new file")

        assert not welcomed(keys, collector, "added", "lab-1")  # no grant yet
        with open(keys.authorized / "added.pub", "a") as pub:  # edited in place
            pub.write("agents: lab-*\n")
        wait_for(lambda: welcomed(keys, collector, "added", "lab-1"), timeout=15,
                 what="the grant edited in place to be read")
    finally:
        assert collector.stop() == 0
    assert "SIGHUP: re-reading" in collector.process.log()
