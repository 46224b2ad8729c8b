"""A small process-wide memo for expensive arrays (features, embeddings).

The app runs as one long-lived process, so re-clustering the same embedding with
another method, or switching pages, never recomputes features or UMAP.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self, max_items: int = 16):
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._pending: dict[Hashable, threading.Event] = {}  # keys being computed now, by another caller
        self._lock = threading.Lock()
        self.max_items = max_items
        self.hits = self.misses = 0

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def pending(self, key: Hashable) -> bool:
        """Whether ``key`` is being computed now."""
        with self._lock:
            return key in self._pending

    def get_or_compute(self, key: Hashable, compute: Callable[[], T],
                       waiting: Callable[[], None] | None = None) -> T:
        """The value kept for ``key``, else ``compute()``'s, kept. A key another caller is computing now is not
        computed twice: this one waits for it, calling ``waiting()`` every quarter second (to report, or to raise
        :class:`~engine.progress.Cancelled`), and computes it itself only where that one failed."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    self.hits += 1
                    return self._items[key]  # type: ignore[return-value]
                running = self._pending.get(key)
                if running is None:
                    self.misses += 1
                    self._pending[key] = threading.Event()
                    break
            while not running.wait(0.25):
                if waiting is not None:
                    waiting()
        try:
            value = compute()  # outside the lock: other keys stay available meanwhile
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.max_items:
                    self._items.popitem(last=False)
        finally:
            with self._lock:
                self._pending.pop(key).set()
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


ARRAYS = Memo(max_items=32)  # a run keeps up to four arrays: features, map, clustering space, and a probe's


# ---- kept on disk: results a new process (the CLI, a restarted app) would otherwise compute again ----

KEEP_VAR = "CLUSTERSCOPE_KEEP"  # "0": compute everything again (set by the benchmarks that time it)
KEPT_FILES = 200  # per kind; the oldest go first (a 1M-row 10-D space is 40 MB, a digits one 72 kB)


def digest(*parts: object) -> str:
    """A content hash of arrays (dtype, shape, bytes; sparse matrices by their content) and plain values (their
    repr, so only values whose repr is their content: numbers, strings, tuples and dicts of them)."""
    import hashlib

    import numpy as np

    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if hasattr(part, "tocsr") and not isinstance(part, np.ndarray):  # a scipy.sparse matrix: its content
            csr = part.tocsr()
            h.update(digest(np.asarray(csr.shape), csr.data, csr.indices, csr.indptr).encode())
        elif isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part)
            h.update(repr((array.dtype.str, array.shape)).encode())
            h.update(memoryview(array).cast("B"))
        else:
            h.update(repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()


def source_digest(*modules: object) -> str:
    """A hash of modules' source files (every ``.py`` file of a package): a kept result is computed again once
    the code that made it changes."""
    from pathlib import Path

    files = []
    for module in modules:
        path = Path(module.__file__)  # type: ignore[attr-defined]
        files += sorted(path.parent.glob("*.py")) if path.name == "__init__.py" else [path]
    return digest(*(path.read_bytes() for path in files))


def versions(*distributions: str) -> tuple[str, ...]:
    """Installed versions (without importing the packages): part of a kept result's key."""
    from importlib.metadata import PackageNotFoundError, version

    def one(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    return tuple(one(name) for name in distributions)


def kept(kind: str, key: str, compute: Callable[[], T], save: Callable[[T, object], None],
         load: Callable[[object], T], suffix: str) -> T:
    """``compute()`` once per ``key`` across processes: the value is written under ``$CLUSTERSCOPE_HOME/kept/kind``
    (atomically) and read back next time; an unreadable file is computed again."""
    import os

    from engine.files import atomic_open
    from engine.runs import default_root

    if os.environ.get(KEEP_VAR, "1") == "0":  # benchmarks that time the work itself
        return compute()
    folder = default_root() / "kept" / kind
    path = folder / f"{key}{suffix}"
    if path.exists():
        try:
            with open(path, "rb") as handle:
                return load(handle)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # torn or from an older layout: computed again
    value = compute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_open(path) as handle:
            save(value, handle)
        old = sorted(folder.glob(f"*{suffix}"), key=lambda p: p.stat().st_mtime)[:-KEPT_FILES]
        for stale in old:
            stale.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass  # a full or read-only disk, or a value the format cannot hold: the result is still returned, only not kept
    return value


def kept_array(kind: str, key: str, compute: Callable[[], T]) -> T:
    import numpy as np

    return kept(kind, key, compute, lambda value, handle: np.save(handle, value, allow_pickle=False),
                lambda handle: np.load(handle, allow_pickle=False), ".npy")


def kept_json(kind: str, key: str, compute: Callable[[], T], encode: Callable[[T], dict],
              decode: Callable[[dict], T]) -> T:
    """:func:`kept` for a value written as the JSON of ``encode(value)`` (numpy scalars as plain numbers) and read
    back through ``decode``."""
    import json

    return kept(kind, key, compute,
                lambda value, handle: handle.write(json.dumps(encode(value), default=lambda v: v.item()).encode()),
                lambda handle: decode(json.loads(handle.read())), ".json")
