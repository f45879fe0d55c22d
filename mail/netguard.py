"""Connections to the mail servers an org entered: resolved and checked at each connect, then
made to the checked address (a DNS answer that changes in between cannot slip a private address
in). Private addresses are refused unless OUTBOUND_ALLOW_PRIVATE is on."""

import imaplib
import smtplib
import socket
import ssl

from django.conf import settings

from kdesk.addresses import address_problem


class Refused(Exception):
    pass


def resolve(host, port):
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def checked_address(host, port):
    if not host:
        raise Refused("No server is set.")
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"The server {host} cannot be found ({exc}).") from None
    if not settings.OUTBOUND_ALLOW_PRIVATE:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise Refused(f"{host} resolves to {problem} ({address}), which kdesk refuses.")
    return addresses[0]


def _tls_context():
    return ssl.create_default_context()


class _PinnedSMTP(smtplib.SMTP):
    pinned = None

    def _get_socket(self, host, port, timeout):
        return socket.create_connection((self.pinned, port), timeout)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    pinned = None

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((self.pinned, port), timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)


def smtp_connect(*, host, port, security, timeout):
    address = checked_address(host, port)
    if security == "ssl":
        client = _PinnedSMTPSSL(timeout=timeout, context=_tls_context())
    else:
        client = _PinnedSMTP(timeout=timeout)
    client.pinned = address
    client._host = host  # the name the certificate must carry
    client.connect(host, port)
    if security == "starttls":
        client.starttls(context=_tls_context())
    return client


class _PinnedIMAP(imaplib.IMAP4):
    def __init__(self, host, port, pinned, timeout):
        self.pinned = pinned
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout=None):
        return socket.create_connection((self.pinned, self.port), timeout)


class _PinnedIMAPSSL(imaplib.IMAP4_SSL):
    def __init__(self, host, port, pinned, timeout):
        self.pinned = pinned
        super().__init__(host, port, ssl_context=_tls_context(), timeout=timeout)

    def _create_socket(self, timeout=None):
        sock = socket.create_connection((self.pinned, self.port), timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def imap_connect(*, host, port, security, timeout):
    address = checked_address(host, port)
    if security == "ssl":
        return _PinnedIMAPSSL(host, port, address, timeout)
    client = _PinnedIMAP(host, port, address, timeout)
    if security == "starttls":
        client.starttls(ssl_context=_tls_context())
    return client
