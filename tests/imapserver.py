"""A real IMAP server for tests: Debian's Dovecot, started on a loopback port with its own
configuration, users and maildirs under a temporary directory (nothing of the machine's mail
setup is touched). `make imap` installs dovecot-imapd as root when it is missing."""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-secret"


def unavailable():
    """Why no Dovecot can run here, or ''."""
    if not os.path.exists(DOVECOT):
        return "Dovecot is not installed (make imap installs dovecot-imapd as root)"
    if os.geteuid() != 0:
        return "Dovecot must be started as root"
    try:
        pwd.getpwnam("dovenull")
    except KeyError:
        return "the dovenull user of the dovecot package is missing"
    return ""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    def __init__(self, root):
        self.root = Path(root)
        self.port = _free_port()
        self.process = None

    def start(self):
        nobody = pwd.getpwnam("nobody")
        os.chmod(self.root, 0o755)  # dovecot's auth and mail processes run as other users
        home = self.root / "home"
        (home / USER).mkdir(parents=True)
        for path in (home, home / USER):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        for name in ("run", "state"):
            (self.root / name).mkdir()
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        os.chmod(self.root / "users", 0o644)
        config = self.root / "dovecot.conf"
        config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = {nobody.pw_uid}
last_valid_uid = {nobody.pw_uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"dovecot exited: {self.process.stderr.read().decode()} {self.log()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self):
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def client(self):
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, raw, folder="INBOX"):
        """Put a message into the mailbox (IMAP APPEND, as a delivery agent would)."""
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def clear(self, folder="INBOX"):
        client = self.client()
        try:
            client.select(folder)
            client.store("1:*", "+FLAGS", "\\Deleted")
            client.expunge()
        except imaplib.IMAP4.error:
            pass
        finally:
            client.logout()
