"""The collector re-reads its allow-list directory on SIGHUP and when the directory changes
(docs/pipeline.md, "Security"): a .pub file rewritten in place (the directory's time unchanged)
counts only after SIGHUP, and then its key is welcomed; a .pub file added is read without a
signal. Counted in `authorized_keys`."""
import shutil
import signal
import time

from peers import wait_for
from pipeline_support import Collector, Keys, curve_dealer, hello_frame, run


def test_allow_list_is_reread_on_sighup_and_on_change(tmp_path):
    keys = Keys(tmp_path, agents=1)
    for name in ("late", "added"):
        run("keygen", "--out", keys.agents, "--name", name)
    placeholder = keys.authorized / "late.pub"
    placeholder.write_text("# late's key goes here\n")  # not a key: skipped
    collector = Collector(keys, tmp_path / "events.db")
    try:
        assert collector.stats()["authorized_keys"] == 1
        with open(placeholder, "r+") as pub:  # same inode: the directory's time does not move
            pub.write((keys.agents / "late.pub").read_text())
        time.sleep(1.5)
        assert collector.stats()["authorized_keys"] == 1
        collector.process.send_signal(signal.SIGHUP)
        wait_for(lambda: collector.stats()["authorized_keys"] == 2, what="SIGHUP reload")
        peer = curve_dealer(keys, collector, "late")
        peer.send(hello_frame("late"))
        assert peer.recv() == b"W\x01\x01"
        peer.close()
        shutil.copy(keys.agents / "added.pub", keys.authorized / "added.pub")
        wait_for(lambda: collector.stats()["authorized_keys"] == 3, what="reload on change")
    finally:
        assert collector.stop() == 0
    assert "SIGHUP: re-reading" in collector.process.log()
