"""A small cache of things built from a rulebook (plans, expressions), kept per rulebook object.

Entries are keyed by the rulebook's identity and a hashable detail (a date, an input schema);
the rulebook itself is held with the entry, so an id reused by a new object never hits a stale
entry. The most recently used `size` entries are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """`get(owner, detail, build)`: the value built for (owner, detail), built once."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, Hashable], tuple[object, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, owner: object, detail: Hashable, build: Callable[[], T]) -> T:
        key = (id(owner), detail)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] is owner:
                self._entries.move_to_end(key)
                return found[1]
        value = build()
        with self._lock:
            self._entries[key] = (owner, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value
