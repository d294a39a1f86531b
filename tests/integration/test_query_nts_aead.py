"""NTS with AEAD_AES_SIV_CMAC_512 (AEAD id 17, AES-256): `chronowatch query --nts --nts-aead 17`
offers 17 then 15. Our serve takes 17 (its cookies then carry two 64-byte keys: 168 bytes) and the
exchange is authenticated under it; chronyd 4.3, which has only 15, takes 15 from the same offer.
16 (AES-SIV-CMAC-384) is not offered: nettle has no SIV-CMAC over AES-192."""
import pytest

from nts_support import ChronydNts, certificate, nts_server  # noqa: F401 (certificate: a fixture)
from query_helpers import EXIT_OK, EXIT_USAGE, query, query_json


def nts_query(ke_port, cert, *args):
    return query_json("--nts", "--nts-ca", cert, "--nts-ke-port", ke_port, "--samples", 3,
                      "--interval", 0.1, *args, "127.0.0.1")


def test_our_server_takes_aes_siv_cmac_512_when_offered_first(certificate):
    with nts_server(certificate) as server:
        done, out = nts_query(server.ke_port, certificate[0], "--nts-aead", 17)
        assert done.returncode == EXIT_OK, done.stderr
        s = out["servers"][0]
        assert s["auth"] == "nts" and s["authenticated"] is True, s
        assert s["aead"] == "AEAD_AES_SIV_CMAC_512", s
        assert s["cookies"] == 8 and s["samples"] == 3, s
        assert abs(s["offset"]) < 0.001
        assert server.counters()["outcomes"]["answered_nts"] == 3
        # Without the flag the same server is asked for 15 alone, and uses it.
        done, out = nts_query(server.ke_port, certificate[0])
        assert done.returncode == EXIT_OK, done.stderr
        assert out["servers"][0]["aead"] == "AEAD_AES_SIV_CMAC_256"


def test_chronyd_takes_15_from_the_same_offer(certificate):
    cert, key = certificate
    with ChronydNts(cert, key) as chronyd:
        done, out = nts_query(chronyd.ke_port, cert, "--nts-aead", 17)
        assert done.returncode == EXIT_OK, done.stderr
        s = out["servers"][0]
        assert s["aead"] == "AEAD_AES_SIV_CMAC_256" and s["authenticated"] is True, s
        assert abs(s["offset"]) < 0.001


@pytest.mark.parametrize("argv", [["--nts", "--nts-aead", "16"], ["--nts-aead", "17"]])
def test_an_aead_we_do_not_have_or_without_nts_is_a_usage_error(argv):
    done = query(*argv, "--samples", 1, "127.0.0.1")
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "--nts-aead" in done.stderr, done.stderr
