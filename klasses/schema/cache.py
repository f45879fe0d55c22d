"""Compiled validators kept per process, keyed by (org id, resource).

The definitions row carries a `rev` that moves on every change; `get` compares it with the
compiled entry's, so a stale entry costs one tuple comparison to detect and other processes
need no message to notice a change.
"""

import threading

from klasses.schema.validator import compile_validator


class ValidatorCache:
    def __init__(self, maxsize=4096):
        self._lock = threading.Lock()
        self._entries = {}
        self._maxsize = maxsize

    def get(self, key, version, loader):
        """The validator for `key` at `version`; `loader()` returns the definitions and is
        only called when there is no entry for that version."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        # Compile outside the lock: two threads may both compile on a miss, which is cheaper
        # than making every reader of every key wait on one compile.
        validator = compile_validator(loader())
        with self._lock:
            current = self._entries.get(key)
            if current is not None and current[0] == version:
                return current[1]
            if key not in self._entries and len(self._entries) >= self._maxsize:
                # dicts keep insertion order: drop the oldest entry
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (version, validator)
        return validator

    def invalidate(self, key=None):
        """Forget `key` (or everything): for changes made without moving the version."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)

    def __len__(self):
        return len(self._entries)
