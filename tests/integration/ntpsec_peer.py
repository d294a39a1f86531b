"""ntpsec's ntpd and ntpq as real peers of the netmon NTP tests.

ntpsec conflicts with chrony in apt, so scripts/install-deps unpacks its .deb into a directory of
the tests' own ($CW_NTPSEC_ROOT, default /opt/chronowatch-test/ntpsec) instead of installing it.
ntpd calls ntp_adjtime() at start whatever its configuration says: it always runs here with
CAP_SYS_TIME dropped (the call then fails with EPERM and the clock is never touched), `disable ntp`
and `disable kernel`, and serves in orphan mode (stratum 6, leap 0) without upstream servers.
"""
import os
import pathlib

import pytest

ROOT = pathlib.Path(os.environ.get("CW_NTPSEC_ROOT", "/opt/chronowatch-test/ntpsec"))
NTPD = ROOT / "usr" / "sbin" / "ntpd"
NTPQ = ROOT / "usr" / "bin" / "ntpq"


def require_ntpsec():
    if not NTPD.is_file() or not NTPQ.is_file():
        pytest.skip(f"ntpsec is not unpacked in {ROOT} (scripts/install-deps does it)")


def ntpd_conf(directory, extra=(), limited=False):
    """A configuration that serves everyone (limited: rate-limited with KoD, RFC 5905 §7.4, which
    also drops ntpq's queries that come too soon), answers ntpq and never disciplines the clock."""
    directory.mkdir(parents=True, exist_ok=True)
    conf = directory / "ntp.conf"
    conf.write_text("\n".join([
        f"driftfile {directory}/drift",
        "restrict default " + ("kod limited nomodify" if limited else "nomodify"),
        "restrict 127.0.0.1",
        *([] if limited else ["restrict 10.0.0.0 mask 255.0.0.0 nomodify"]),
        "disable ntp",
        "disable kernel",
        "tos orphan 6 orphanwait 0",
        *extra]) + "\n")
    return conf


def start_ntpd(lab, directory, extra=(), limited=False):
    """ntpd in the lab's target namespace (it binds port 123 on every address there)."""
    conf = ntpd_conf(directory, extra, limited)
    log = directory / "ntpd.log"
    process = lab.start(lab.target_ns, ["capsh", "--drop=cap_sys_time", "--", "-c",
                                        f"exec {NTPD} -n -c {conf} -l {log}"], "ntpd")
    return process, log


def ntpq(lab, host, command="rv"):
    """`ntpq -n -c COMMAND HOST` (mode 6) from the lab's attacker namespace."""
    return lab.run(lab.attacker_ns, ["/usr/bin/python3", NTPQ, "-n", "-c", command, host],
                   timeout=30)
