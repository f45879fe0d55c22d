"""Inbound hooks: unguessable URLs that turn a web (JSON) or email post into a `hook.received`
event."""
