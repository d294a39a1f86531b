"""`chronowatch keygen` (docs/pipeline.md): NAME.key is created 0600 and NAME.pub beside it, both
40-character Z85 CURVE keys that libzmq (pyzmq) agrees form a pair; an existing pair is kept
(exit 3) unless --force; --json reports the files; a bad name is a usage error."""
import json
import os
import stat

import zmq

from pipeline_support import read_key, run


def test_keygen_writes_a_private_pair_that_zeromq_accepts(tmp_path):
    result = run("keygen", "--out", tmp_path / "keys", "--name", "node-17", "--json")
    report = json.loads(result.stdout)
    secret, public = tmp_path / "keys" / "node-17.key", tmp_path / "keys" / "node-17.pub"
    assert report["secret_key_file"] == str(secret) and report["public_key_file"] == str(public)
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert not stat.S_IMODE(os.stat(public).st_mode) & 0o022
    assert zmq.curve_public(read_key(secret)) == read_key(public) == report["public_key"].encode()

    again = run("keygen", "--out", tmp_path / "keys", "--name", "node-17", check=False)
    assert again.returncode == 3, again.stderr
    assert read_key(public) == report["public_key"].encode()  # kept
    forced = json.loads(run("keygen", "--out", tmp_path / "keys", "--name", "node-17", "--force",
                            "--json").stdout)
    assert forced["public_key"] != report["public_key"]
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600

    bad = run("keygen", "--out", tmp_path / "keys", "--name", "a/b", check=False)
    assert bad.returncode == 2 and "name" in bad.stderr, bad
