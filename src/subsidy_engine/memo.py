"""The one cache of things built from a rulebook (plans, parameters, expressions).

Entries are keyed by an owner's identity (a rulebook, an evaluator) and a hashable detail (a
date, an input schema); the owner is held with the entry, so an id reused by a new object never
hits a stale entry. The last `size` entries built are kept. A hit reads without the lock (a dict
read is atomic), so a cache on the path of every evaluation costs one lookup; a miss builds
under no lock, and two threads missing together may both build (the values are equal).

>>> memo: Memo[int] = Memo(size=2)
>>> owner = object()
>>> memo.get(owner, "a", len, "xyz"), memo.get(owner, "a", len, "never built")
(3, 3)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """`get(owner, detail, build, *args)`: the value `build(*args)` made for (owner, detail),
    built once."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: dict[tuple[int, Hashable], tuple[object, T]] = {}
        self._lock = threading.Lock()

    def get(self, owner: object, detail: Hashable, build: Callable[..., T], *args: Any) -> T:
        key = (id(owner), detail)
        found = self._entries.get(key)
        if found is not None and found[0] is owner:
            return found[1]
        value = build(*args)
        with self._lock:
            self._entries[key] = (owner, value)
            while len(self._entries) > self.size:
                del self._entries[next(iter(self._entries))]  # the oldest built
        return value
