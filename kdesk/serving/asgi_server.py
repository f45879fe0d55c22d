"""daphne with kdesk's refusals: `python -m kdesk.serving.asgi_server [daphne options] kdesk.asgi:application`.

Stock daphne (Twisted) reads a whole request body, chunked or not, before the application sees
the request, then queues all of it in memory: a 1 GiB upload from nobody costs 1 GiB. And a
request line over 16 KiB drops the connection without an answer. This server refuses both from
the request head (kdesk/serving/guard.py) and cuts a chunked body off with 413 the moment it
crosses API_MAX_BODY_BYTES, closing the connection without reading the rest.
"""

import logging

import daphne.server
from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from twisted.web import http

from kdesk.serving import guard

log = logging.getLogger(__name__)


def _answer_and_close(channel, refusal):
    channel.transport.write(refusal.http_bytes())
    # Stops reading at once; the socket closes when the answer is flushed.
    channel.transport.loseConnection()


class GuardedRequest(WebRequest):
    _refused = False
    _body_read = 0

    def gotLength(self, length):
        # The head is complete and nothing of the body has been read yet.
        channel = self.channel
        uri = (channel._path or b"").decode("latin-1")
        path, _, query = uri.partition("?")
        headers = {
            name.decode("latin-1").lower(): values[-1].decode("latin-1")
            for name, values in self.requestHeaders.getAllRawHeaders()
        }
        refusal = guard.refusal_for(
            method=(channel._command or b"").decode("latin-1").upper(),
            path=path,
            query_string=query,
            headers=headers,
            content_length=length,
            chunked=length is None and guard.is_chunked(headers.get("transfer-encoding")),
        )
        super().gotLength(length)
        if refusal is not None:
            self._refuse(refusal)

    def handleContentChunk(self, data):
        if self._refused:
            return
        self._body_read += len(data)
        if self._body_read > guard.settings.API_MAX_BODY_BYTES:
            self._refuse(guard.body_too_large())
            return
        super().handleContentChunk(data)

    def requestReceived(self, command, path, version):
        if not self._refused:
            super().requestReceived(command, path, version)

    def _refuse(self, refusal):
        self._refused = True
        log.info("refused %s before reading the body", refusal.status)
        _answer_and_close(self.channel, refusal)


class GuardedChannel(http.HTTPChannel):
    def lineLengthExceeded(self, line):
        # Twisted drops the connection without a word when a line passes MAX_LENGTH (16 KiB).
        if self._HTTPChannel__first_line:
            refusal = guard.uri_too_long()
        else:
            refusal = guard.Refusal(
                431, "header_too_large", "A request header line is longer than 16 KiB."
            )
        _answer_and_close(self, refusal)


class GuardedHTTPFactory(HTTPFactory):
    def protocol(self):
        return http._GenericHTTPChannelProtocol(GuardedChannel())

    def buildProtocol(self, addr):
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = GuardedRequest
        return protocol


class GuardedServer(daphne.server.Server):
    def run(self):
        # Server.run builds its HTTP factory from this module-level name.
        daphne.server.HTTPFactory = GuardedHTTPFactory
        super().run()


class GuardedCommandLineInterface(CommandLineInterface):
    server_class = GuardedServer


if __name__ == "__main__":
    GuardedCommandLineInterface.entrypoint()
