"""Live pushes from threads without an event loop (WSGI workers, the task worker) go through
one long-lived sender loop per process, so the Redis layer keeps its connections between
commits; each commit's sends leave in order before the commit's caller goes on."""

import asyncio
import os
import threading

from channels.layers import InMemoryChannelLayer

from timeline import live, sender


class RecordingLayer:
    """A channel layer that notes which loop and thread sent what (a Redis layer keeps its
    connections per event loop)."""

    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        await asyncio.sleep(0)  # a real send awaits the network
        self.sent.append((asyncio.get_running_loop(), threading.get_ident(), group, message["n"]))


def test_it_sends_every_commit_from_one_loop_thread_in_order():
    layer = RecordingLayer()
    live._flush(layer, [("g1", {"n": 1}), ("g2", {"n": 2})])
    live._flush(layer, [("g1", {"n": 3})])
    assert [(group, n) for _, _, group, n in layer.sent] == [("g1", 1), ("g2", 2), ("g1", 3)]
    loops = {loop for loop, *_ in layer.sent}
    threads = {thread for _, thread, *_ in layer.sent}
    assert loops == {sender.loop()}
    assert threads != {threading.get_ident()}
    assert len(threads) == 1


def test_it_keeps_one_loop_across_threads_of_a_process():
    layer = RecordingLayer()
    workers = [
        threading.Thread(target=live._flush, args=(layer, [(f"g{i}", {"n": i})])) for i in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(n for *_, n in layer.sent) == [0, 1, 2, 3]
    assert {loop for loop, *_ in layer.sent} == {sender.loop()}


def test_a_forked_child_starts_its_own_loop(monkeypatch):
    parent_loop = sender.loop()
    monkeypatch.setattr(sender, "_pid", os.getpid() + 1)  # what a forked child sees
    child_loop = sender.loop()
    assert child_loop is not parent_loop
    assert sender.run(asyncio.sleep(0, result=7), timeout=5) == 7
    layer = RecordingLayer()
    live._flush(layer, [("g", {"n": 1})])
    assert layer.sent[0][0] is child_loop


def test_a_send_that_hangs_does_not_hold_the_commit(monkeypatch, caplog):
    class StuckLayer:
        async def group_send(self, group, message):
            await asyncio.sleep(60)

    monkeypatch.setattr(live, "SEND_TIMEOUT", 0.2)
    live._flush(StuckLayer(), [("g", {"n": 1})])
    assert "dropped" in caplog.text


def test_the_in_memory_layer_stays_on_asgirefs_hop():
    """The in-memory layer's queues belong to one loop of one process: no sender thread."""
    from asgiref.sync import async_to_sync

    layer = InMemoryChannelLayer()
    async_to_sync(layer.group_add)("g", "reader")
    before = set(threading.enumerate())
    live._flush(layer, [("g", {"type": "live.event", "n": 1})])
    assert async_to_sync(layer.receive)("reader")["n"] == 1
    started = {t.name for t in set(threading.enumerate()) - before}
    assert "kdesk-live-sender" not in started
