"""Benchmark settings: kdesk's production settings plus the bare comparison views."""

from kdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
