"""Outbound webhooks: subscriptions, the delivery outbox, signing and the SSRF-guarded client."""
