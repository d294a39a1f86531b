"""Alert mail through a real SMTP server (Debian's python3-aiosmtpd, Maildir handler, on
loopback): one mail per alert group — two simulated agents' many drift reports make two mails,
each with the status, severity, rule and agent in its subject — and the same over STARTTLS with
a certificate signed by a CA the collector is told to trust (--alert-smtp-ca)."""
import mailbox
import socket
import time

from agent_helpers import make_ca
from peers import Process, free_port, wait_for
from pipeline_support import Collector, Keys, simulate


class Smtpd:
    def __init__(self, directory, tls=None):
        self.port = free_port(socket.SOCK_STREAM)
        self.maildir = directory / "maildir"
        argv = ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                "-c", "aiosmtpd.handlers.Mailbox"]
        if tls:
            argv += ["--tlscert", str(tls["cert"]), "--tlskey", str(tls["key"])]
        self.process = Process([*argv, str(self.maildir)], name="aiosmtpd")

        def listening():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                return False

        wait_for(listening, timeout=15, what="aiosmtpd listening")

    def messages(self):
        if not self.maildir.exists():
            return []
        return list(mailbox.Maildir(str(self.maildir), create=False))

    def stop(self):
        self.process.stop()


RULES = """alerts:
  rules:
    - {name: quiet-scans, match: "type=port_scan", alert: false}
  correlation: {enabled: false}   # the simulated scans come from the same sources
"""


def run_mail_test(tmp_path, smtpd, extra=()):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    keys = Keys(tmp_path, agents=2)
    collector = Collector(keys, tmp_path / "events.db",
                          extra=["--alert-smtp", f"127.0.0.1:{smtpd.port}",
                                 "--alert-mail-from", "chronowatch@example.org",
                                 "--alert-mail-to", "ops@example.org",
                                 "--alert-min-severity", "low", "--alert-rules", str(rules),
                                 *extra])
    try:
        code, report = simulate(keys, collector, agents=2, rate=100, duration=2)
        assert code == 0, report
        wait_for(lambda: len(smtpd.messages()) >= 2, timeout=30, what="two mails")
        time.sleep(1.5)  # a mail per event would be arriving now
        messages = smtpd.messages()
        assert len(messages) == 2, [m["Subject"] for m in messages]
        subjects = sorted(m["Subject"] for m in messages)
        for agent, subject in zip(("sim-0001", "sim-0002"), subjects):
            assert subject.startswith("[chronowatch firing:low] time_drift on " + agent), subject
        for m in messages:
            assert m["To"] == "ops@example.org" and m["From"] == "chronowatch@example.org"
            assert m["X-Chronowatch-Notification-Id"]
            assert "count:" in m.get_payload()
        receivers = collector.stats()["alerts"]["receivers"]
        assert receivers[0]["kind"] == "email" and receivers[0]["failures"] == 0, receivers
    finally:
        assert collector.stop() == 0, collector.process.log()


def test_one_mail_per_alert_group_with_the_fields_in_the_subject(tmp_path):
    smtpd = Smtpd(tmp_path)
    try:
        run_mail_test(tmp_path, smtpd)
    finally:
        smtpd.stop()


def test_mail_over_starttls_with_a_trusted_ca(tmp_path):
    tls = make_ca(tmp_path, "smtp")
    smtpd = Smtpd(tmp_path, tls=tls)
    try:
        run_mail_test(tmp_path, smtpd, extra=["--alert-smtp-starttls",
                                              "--alert-smtp-ca", str(tls["ca"])])
    finally:
        smtpd.stop()
