"""Mail with STARTTLS and AUTH against a real aiosmtpd (smtp_auth_server.py: STARTTLS and AUTH
required, one login), and the Slack format at the test receiver:
- the collector with --alert-smtp-user and a wrong password: every attempt refused, counted as
  failures, no mail; the password file corrected and SIGHUP (receivers re-made, files re-read):
  the waiting mails go out, one per alert group, after AUTH over TLS;
- --alert-slack: a Slack incoming-webhook body (text, one attachment coloured by severity, the
  labels as fields) for a firing alert, and "good" once it resolves."""
import signal
import socket

from agent_helpers import make_ca
from alert_support import WebhookReceiver
from peers import Process, free_port, wait_for
from pipeline_support import Collector, Keys, simulate
from test_alerts_mail import RULES, Smtpd

HERE = __import__("pathlib").Path(__file__).resolve().parent


class AuthSmtpd(Smtpd):  # messages() and stop() as Smtpd's
    def __init__(self, directory, login, password_file):
        tls = make_ca(directory, "smtp")
        self.ca = tls["ca"]
        self.port = free_port(socket.SOCK_STREAM)
        self.maildir = directory / "maildir"
        self.process = Process(["/usr/bin/python3", HERE / "smtp_auth_server.py", str(self.port),
                                str(self.maildir), str(tls["cert"]), str(tls["key"]), login,
                                str(password_file)], name="smtp-auth")
        wait_for(lambda: "listening" in self.process.log() or not self.process.alive(),
                 timeout=15, what="the SMTP server to listen")
        assert self.process.alive(), self.process.log()


def test_smtp_auth_refused_then_accepted_after_sighup_rereads_the_password(tmp_path):
    password = tmp_path / "smtp.password"
    password.write_text("right-one\n")
    smtpd = AuthSmtpd(tmp_path, "cw", password)
    ours = tmp_path / "our.password"
    ours.write_text("wrong\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    keys = Keys(tmp_path, agents=2)
    collector = Collector(keys, tmp_path / "events.db", extra=[
        "--alert-smtp", f"127.0.0.1:{smtpd.port}", "--alert-mail-from", "chronowatch@example.org",
        "--alert-mail-to", "ops@example.org", "--alert-min-severity", "low",
        "--alert-rules", str(rules), "--alert-smtp-starttls", "--alert-smtp-ca", str(smtpd.ca),
        "--alert-smtp-user", "cw", "--alert-smtp-password-file", str(ours)])
    try:
        code, report = simulate(keys, collector, agents=2, rate=100, duration=2)
        assert code == 0, report

        def receiver():
            return collector.stats()["alerts"]["receivers"][0]

        wait_for(lambda: receiver()["failures"] >= 1, timeout=20, what="a refused attempt")
        assert "auth refused cw" in smtpd.process.log(), smtpd.process.log()
        assert "auth ok" not in smtpd.process.log()
        assert smtpd.messages() == []
        assert receiver()["waiting"] >= 2, receiver()

        ours.write_text("right-one\n")
        collector.process.send_signal(signal.SIGHUP)
        wait_for(lambda: len(smtpd.messages()) >= 2, timeout=90, what="the two mails after SIGHUP")
        assert "auth ok cw" in smtpd.process.log()
        subjects = sorted(m["Subject"] for m in smtpd.messages())
        assert len(subjects) == 2, subjects
        for agent, subject in zip(("sim-0001", "sim-0002"), subjects):
            assert subject.startswith("[chronowatch firing:low] time_drift on " + agent), subject
        wait_for(lambda: receiver()["waiting"] == 0, timeout=10, what="the outbox to empty")
        assert receiver()["delivered"] == 2, receiver()
    finally:
        assert collector.stop() == 0, collector.process.log()
        smtpd.stop()


def test_slack_format_at_the_test_receiver(tmp_path):
    hook = WebhookReceiver()
    keys = Keys(tmp_path, agents=1)
    collector = Collector(keys, tmp_path / "events.db", extra=[
        "--alert-slack", hook.url, "--alert-external-url", "http://console.example"])
    try:
        code, report = simulate(keys, collector, agents=1, rate=100, duration=1)
        assert code == 0, report

        def scans(bodies, title):
            return [b for b in bodies if b["attachments"][0]["title"] == title
                    and "from 10.0.0.50" in b["attachments"][0]["text"]]

        bodies = hook.wait_for(lambda b: scans(b, "[RESOLVED:high] scan"), 20,
                               "the scan from 10.0.0.50 firing then resolved")
        (firing,) = scans(bodies, "[FIRING:high] scan")
        (resolved,) = scans(bodies, "[RESOLVED:high] scan")
        attachment = firing["attachments"][0]
        assert firing["text"].startswith("Alert: port_scan on sim-0001 from 10.0.0.50"), firing
        assert attachment["color"] == "danger"  # high
        assert attachment["fallback"].startswith("[FIRING] port_scan on sim-0001")
        fields = {f["title"]: f["value"] for f in attachment["fields"]}
        assert fields["alertname"] == "scan" and fields["source"] == "10.0.0.50", fields
        assert fields["agent"] == "sim-0001" and fields["severity"] == "high", fields
        assert all(f["short"] is True for f in attachment["fields"])
        assert attachment["title_link"].startswith("http://console.example/#/alerts?status=all&alert=")
        assert attachment["footer"].startswith("chronowatch ")
        assert isinstance(attachment["ts"], int)
        assert resolved["text"].startswith("Resolved: ") and resolved["attachments"][0]["color"] == "good"
    finally:
        assert collector.stop() == 0, collector.process.log()
        hook.stop()
