"""The per-process validator cache: one compile per (key, version)."""

import threading

from klasses.schema import Validator, ValidatorCache

DEFS = {"tierStr": {"type": "Str", "enum": ["gold"]}}


def counting_loader(defs=DEFS):
    calls = []

    def load():
        calls.append(1)
        return defs

    return load, calls


def test_it_compiles_once_per_version():
    cache = ValidatorCache()
    load, calls = counting_loader()
    first = cache.get((1, "customer"), 3, load)
    assert isinstance(first, Validator)
    assert cache.get((1, "customer"), 3, load) is first
    assert len(calls) == 1


def test_a_new_version_recompiles():
    cache = ValidatorCache()
    first = cache.get((1, "customer"), 3, lambda: DEFS)
    second = cache.get((1, "customer"), 4, lambda: {})
    assert second is not first
    assert second.validate({"tierStr": "iron"}).errors == []
    assert first.validate({"tierStr": "iron"}).errors


def test_keys_are_separate():
    cache = ValidatorCache()
    a = cache.get((1, "customer"), 1, lambda: DEFS)
    b = cache.get((2, "customer"), 1, lambda: {})
    c = cache.get((1, "company"), 1, lambda: {})
    assert len({id(a), id(b), id(c)}) == 3


def test_invalidate_forgets_one_key_or_all():
    cache = ValidatorCache()
    load, calls = counting_loader()
    cache.get("a", 1, load)
    cache.get("b", 1, load)
    cache.invalidate("a")
    cache.get("a", 1, load)
    cache.get("b", 1, load)
    assert len(calls) == 3
    cache.invalidate()
    assert len(cache) == 0


def test_it_keeps_at_most_maxsize_entries():
    cache = ValidatorCache(maxsize=2)
    for key in "abc":
        cache.get(key, 1, dict)
    assert len(cache) == 2


def test_threads_all_get_the_current_version():
    cache = ValidatorCache()
    seen = []

    def worker(version):
        for _ in range(200):
            seen.append((version, cache.get("k", version, lambda: DEFS)))

    threads = [threading.Thread(target=worker, args=(v % 3,)) for v in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 1200
    assert all(isinstance(v, Validator) for _, v in seen)
    # whatever raced, the entry left behind is one of the versions asked for
    assert cache._entries["k"][0] in {0, 1, 2}
