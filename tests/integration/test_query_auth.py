"""`chronowatch query` with symmetric-key authentication against a real chronyd whose keyfile
holds one key of every type chrony 4.3 has (MD5, SHA1, SHA256, SHA384, SHA512, AES128/AES256
CMAC): each authenticates; a wrong secret, an unknown key id, a flipped byte or a stripped MAC
fails with the authentication exit status; seed 001's NTP_SECRET_KEY; keyfile errors."""
import os
import socket
import stat

import pytest

from peers import Chronyd
from query_helpers import (EXIT_AUTH, EXIT_OK, EXIT_USAGE, FakeNtpServer, query, query_json)

KEYS = {
    1: "MD5 HEX:" + "11" * 16,
    2: "SHA1 HEX:" + "22" * 20,
    3: "SHA256 HEX:" + "33" * 32,
    4: "SHA384 HEX:" + "44" * 48,
    5: "SHA512 HEX:" + "55" * 64,
    6: "AES128 HEX:" + "66" * 16,
    7: "AES256 HEX:" + "77" * 32,
}
FAST = ("--samples", 2, "--interval", 0.05, "--timeout", 1)


@pytest.fixture(scope="module")
def chronyd():
    with Chronyd(keys=KEYS) as server:
        yield server


def keyfile(tmp_path, lines, mode=0o600):
    path = tmp_path / "client.keys"
    path.write_text("".join(line + "\n" for line in lines))
    os.chmod(path, mode)
    return path


@pytest.fixture
def good_keys(tmp_path):
    return keyfile(tmp_path, [f"{kid} {spec}" for kid, spec in KEYS.items()])


@pytest.mark.parametrize("key_id", sorted(KEYS), ids=[KEYS[k].split()[0] for k in sorted(KEYS)])
def test_every_key_type_authenticates_with_chronyd(chronyd, good_keys, key_id):
    done, report = query_json(f"127.0.0.1:{chronyd.port}", "--keyfile", good_keys, "--key-id", key_id, *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    server = report["servers"][0]
    assert server["authenticated"] is True
    assert abs(report["offset"]) < 0.001


def test_table_says_authenticated(chronyd, good_keys):
    done = query(f"127.0.0.1:{chronyd.port}", "--keyfile", good_keys, "--key-id", 3, *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    assert " yes " in done.stdout.splitlines()[1]


def test_wrong_secret_fails_authentication(chronyd, tmp_path):
    bad = keyfile(tmp_path, ["3 SHA256 HEX:" + "34" * 32])
    done = query(f"127.0.0.1:{chronyd.port}", "--keyfile", bad, "--key-id", 3, *FAST)
    assert done.returncode == EXIT_AUTH, done.stderr
    assert "authentication failed" in done.stderr and len(done.stderr.splitlines()) == 1


def test_unknown_key_id_fails_authentication(chronyd, tmp_path):
    other = keyfile(tmp_path, ["9 SHA1 HEX:" + "22" * 20])
    done = query(f"127.0.0.1:{chronyd.port}", "--keyfile", other, "--key-id", 9, *FAST)
    assert done.returncode == EXIT_AUTH, done.stderr


def relay(port, change):
    """An answer function that forwards the request to chronyd and changes its reply."""
    def answer(request):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as upstream:
            upstream.settimeout(1)
            upstream.sendto(request, ("127.0.0.1", port))
            return change(bytearray(upstream.recv(2048)))
    return answer


def flip(index):
    def change(reply):
        reply[index] ^= 0x01
        return bytes(reply)
    return change


@pytest.mark.parametrize("where, index", [("header", 20), ("digest", -1), ("key id", 51)])
def test_flipped_byte_fails_authentication(chronyd, good_keys, where, index):
    with FakeNtpServer(relay(chronyd.port, flip(index))) as proxy:
        done = query(f"127.0.0.1:{proxy.port}", "--keyfile", good_keys, "--key-id", 5, *FAST)
    assert done.returncode == EXIT_AUTH, (where, done.stderr)
    assert "authentication failed" in done.stderr


def test_relayed_reply_unchanged_is_accepted(chronyd, good_keys):
    # The control for the test above: the relay itself does not break anything.
    with FakeNtpServer(relay(chronyd.port, bytes)) as proxy:
        done, report = query_json(f"127.0.0.1:{proxy.port}", "--keyfile", good_keys, "--key-id", 5, *FAST)
    assert done.returncode == EXIT_OK, done.stderr
    assert report["servers"][0]["authenticated"] is True


def test_stripped_mac_fails_authentication(chronyd, good_keys):
    with FakeNtpServer(relay(chronyd.port, lambda reply: bytes(reply[:48]))) as proxy:
        done = query(f"127.0.0.1:{proxy.port}", "--keyfile", good_keys, "--key-id", 2, *FAST)
    assert done.returncode == EXIT_AUTH
    assert "no MAC" in done.stderr


def test_seed_001_secret_from_the_environment(chronyd):
    env = dict(os.environ, NTP_SECRET_KEY="HEX:" + "11" * 16, NTP_KEY_TYPE="MD5")
    done, report = query_json("--server", "127.0.0.1", "--port", chronyd.port, "--auth", *FAST, env=env)
    assert done.returncode == EXIT_OK, done.stderr
    assert report["servers"][0]["authenticated"] is True


def test_seed_001_wrong_secret_from_the_environment(chronyd):
    env = dict(os.environ, NTP_SECRET_KEY="not the secret", NTP_KEY_TYPE="MD5")
    done = query("--server", "127.0.0.1", "--port", chronyd.port, "--auth", *FAST, env=env)
    assert done.returncode == EXIT_AUTH, done.stderr


def test_auth_without_any_key_is_a_usage_error():
    env = {k: v for k, v in os.environ.items() if k not in ("NTP_SECRET_KEY", "NTP_KEY_TYPE")}
    done = query("127.0.0.1", "--auth", env=env)
    assert done.returncode == EXIT_USAGE
    assert "NTP_SECRET_KEY" in done.stderr


@pytest.mark.parametrize("lines, mode, args, words", [
    (["3 SHA256 HEX:zz"], 0o600, ["--key-id", 3], "line 1"),
    (["3 SHA999 HEX:33"], 0o600, ["--key-id", 3], "line 1"),
    (["3 SHA256 HEX:33", "3 MD5 HEX:11"], 0o600, ["--key-id", 3], "line 2"),
    (["3 SHA256 HEX:" + "33" * 32], 0o644, ["--key-id", 3], "0644"),
    (["3 SHA256 HEX:" + "33" * 32], 0o600, ["--key-id", 4], "key 4"),
    (["3 SHA256 HEX:" + "33" * 32], 0o600, [], "--key"),
])
def test_keyfile_errors_are_usage_errors_naming_the_problem(tmp_path, lines, mode, args, words):
    path = keyfile(tmp_path, lines, mode)
    done = query("127.0.0.1:9", "--keyfile", path, *args)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert words in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_old_key_spelling_still_works_and_says_what_to_write(chronyd, good_keys):
    """`--key` names a CURVE key file in every other command; query's key id is `--key-id`, and the
    old `--key ID` is still accepted, with a warning."""
    done, report = query_json(f"127.0.0.1:{chronyd.port}", "--keyfile", good_keys, "--key", 3,
                              *FAST)
    assert done.returncode == 0, done.stderr
    assert "--key is the old spelling of --key-id" in done.stderr
    assert report["servers"][0]["authenticated"] is True
