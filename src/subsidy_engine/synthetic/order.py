"""The order in which entries are drawn: each after the fields it reads."""

from __future__ import annotations

from collections.abc import Mapping

from subsidy_engine.synthetic.config import Condition, FieldGen


def depends_on(gen: FieldGen) -> set[str]:
    out = {name for name in (gen.like, gen.given) if name}
    if gen.correlate is not None:
        out.add(gen.correlate.with_)
    if gen.divisions_by is not None:
        out.add(gen.divisions_by.field)
    out |= _condition_fields(gen.only_if)
    return out


def _condition_fields(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    return {condition} if isinstance(condition, str) else set(condition)


def dependency_order(dependencies: Mapping[str, set[str]]) -> list[str]:
    """Names in an order where each comes after those it depends on; ValueError on a cycle."""
    done: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*trail[trail.index(name) :], name])
            raise ValueError(f"the entries depend on each other in a cycle: {cycle}")
        state[name] = 1
        for other in sorted(dependencies.get(name, set())):
            if other in dependencies:
                visit(other, [*trail, name])
        state[name] = 2
        done.append(name)

    for name in dependencies:
        visit(name, [])
    return done
