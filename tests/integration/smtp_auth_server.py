#!/usr/bin/python3
"""A test-side SMTP server on aiosmtpd (Debian's python3-aiosmtpd), for what its command line
cannot set up: STARTTLS required before anything, and AUTH (PLAIN, LOGIN) required before MAIL,
against one login and password. Mail goes to a Maildir. Each AUTH attempt prints one line
("auth ok LOGIN" / "auth refused LOGIN"); "listening" once it accepts connections.
Usage: smtp_auth_server.py PORT MAILDIR CERT KEY LOGIN PASSWORD_FILE (stop it with SIGTERM)."""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, maildir, cert, key, login, password_file = sys.argv[1:7]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        with open(password_file, "rb") as f:
            password = f.read().strip()
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == login.encode()
              and auth_data.password == password)
        name = auth_data.login.decode(errors="replace") if isinstance(auth_data, LoginPassword) else "?"
        print(f"auth {'ok' if ok else 'refused'} {name} {mechanism}", flush=True)
        return AuthResult(success=ok, handled=False)

    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port),
                            tls_context=context, require_starttls=True, auth_required=True,
                            auth_require_tls=True, authenticator=authenticator)
    controller.start()
    print("listening", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
