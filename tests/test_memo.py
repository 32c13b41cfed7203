"""The cache: built once per (owner, detail), the last few kept."""

from __future__ import annotations

from subsidy_engine.memo import Memo


class Owner:
    pass


def test_a_value_is_built_once_per_owner_and_detail() -> None:
    built: list[str] = []

    def build(detail: str) -> str:
        built.append(detail)
        return detail.upper()

    memo: Memo[str] = Memo(size=4)
    one, two = Owner(), Owner()
    assert [memo.get(one, d, build, d) for d in ("a", "b", "a", "b")] == ["A", "B", "A", "B"]
    assert memo.get(two, "a", build, "a") == "A"
    assert built == ["a", "b", "a"]


def test_the_oldest_entry_goes_first() -> None:
    built: list[int] = []
    memo: Memo[int] = Memo(size=2)
    owner = Owner()
    for detail in (1, 2, 3, 2, 1):
        memo.get(owner, detail, lambda d=detail: built.append(d) or d)
    assert built == [1, 2, 3, 1]  # 1 was dropped when 3 came; 2 stayed
