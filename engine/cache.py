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
        self._lock = threading.Lock()
        self.max_items = max_items
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[return-value]
            self.misses += 1
        value = compute()  # outside the lock: other keys stay available meanwhile
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


ARRAYS = Memo(max_items=32)  # a run keeps up to four arrays: features, map, clustering space, and a probe's
