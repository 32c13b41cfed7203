"""`Engine.gaps` on profiles with long lists: the time must grow in proportion to the list.

The profile is one private ceramics manufacturer with N copies of a 2亿 new key ceramics
project, so every per-item rule has N results to plan and check.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

AS_OF = date(2019, 12, 31)
SIZES = (100, 1_000, 10_000)


def profile(projects: int) -> dict[str, Any]:
    project = {
        "kind": "industrial",
        "industry": "advanced_ceramics_new_materials",
        "industry_code": "C3071",
        "total_investment": "2亿",
        "fixed_asset_investment": "2亿",
        "signing_date": "2019-06-01",
        "new_construction": True,
        "newly_introduced": True,
        "is_key_project": True,
    }
    return {
        "industry_code": "C3071",
        "ownership": "private",
        "employees": 200,
        "projects": [{"name": f"项目{i}", **project} for i in range(projects)],
    }


def main(argv: list[str] | None = None) -> None:
    from subsidy_engine import Engine

    parser = argparse.ArgumentParser(prog="benchmarks gaps")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    engine = Engine()
    print(f"\ngaps() on a profile with N projects, {len(engine.rulebook.rules)} rules")
    print(f"  {'N':>7}  {'evaluate':>9}  {'gaps':>9}  {'gaps per item':>14}  gaps found")
    for size in args.sizes:
        facts = profile(size)
        start = time.perf_counter()
        engine.evaluate(facts, AS_OF)
        evaluated = time.perf_counter() - start
        start = time.perf_counter()
        report = engine.gaps(facts, as_of=AS_OF)
        took = time.perf_counter() - start
        print(
            f"  {size:>7,}  {evaluated:>8.2f}s  {took:>8.2f}s  {took / size * 1000:>11.2f} ms"
            f"  {len(report.gaps):,}"
        )


if __name__ == "__main__":
    main()
