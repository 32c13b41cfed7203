"""Bounded work: the documented limits of `subsidy_engine.limits`, at their exact bounds, applied
alike by `Engine.evaluate`, the command line and `score`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from subsidy_engine import Engine, limits
from subsidy_engine.errors import InputError, ProfileError

if TYPE_CHECKING:
    from conftest import Kit

AS_OF = date(2019, 6, 30)
LIMIT = limits.MAX_LIST_ITEMS


def exhibitions(n: int) -> list[dict[str, Any]]:
    return [{"name": f"fair {i}", "booths": 1} for i in range(n)]


@pytest.fixture(scope="module")
def mini() -> Engine:
    return Engine(Path(__file__).parents[1] / "fixtures" / "mini")


def test_evaluate_takes_a_list_at_the_limit_and_refuses_one_more(mini: Engine) -> None:
    evaluation = mini.evaluate({"exhibitions": exhibitions(LIMIT)}, AS_OF)
    assert len([r for r in evaluation.results if r.rule_id == "m1.booth_subsidy"]) == LIMIT
    with pytest.raises(ProfileError) as refused:
        mini.evaluate({"exhibitions": exhibitions(LIMIT + 1)}, AS_OF)
    (problem,) = refused.value.diagnostics
    assert (problem.code, problem.yaml_path) == ("too-long", "exhibitions")
    assert problem.message == f"more than {LIMIT:,} items, the limit per list ({LIMIT + 1:,} given)"


def test_what_if_and_gaps_refuse_the_same_list(mini: Engine) -> None:
    profile = {"exhibitions": exhibitions(LIMIT + 1)}
    with pytest.raises(ProfileError, match="the limit per list"):
        mini.what_if(profile, {"employees": 3}, as_of=AS_OF)
    with pytest.raises(ProfileError, match="the limit per list"):
        mini.gaps(profile, as_of=AS_OF)


def test_an_already_built_profile_is_held_to_the_limit(mini: Engine) -> None:
    model = mini.profile_model.model_construct(exhibitions=exhibitions(LIMIT + 1))
    with pytest.raises(ProfileError, match="the limit per list"):
        mini.evaluate(model, AS_OF)


def test_score_rejects_the_row_evaluate_refuses_and_scores_the_other(mini: Engine) -> None:
    table = pl.DataFrame(
        {"exhibitions": [exhibitions(LIMIT), exhibitions(LIMIT + 1)], "employees": [3, 4]}
    )
    scored = mini.score(table, AS_OF)
    assert (scored.rows_scored, scored.rows_rejected) == (1, 1)
    assert scored.rejects["row"].to_list() == [1]
    assert scored.rejects["reason"].to_list() == [
        f"exhibitions: more than {LIMIT:,} items, the limit per list"
    ]


NODES = 14


@pytest.mark.parametrize("extra", [0, 1])
def test_the_profile_node_limit_is_the_same_for_a_file_and_the_api(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mini: Engine, extra: int
) -> None:
    """Nodes are counted as YAML counts them: every key, value and item. This profile has
    1 mapping + 5 keys + 4 scalars + 1 list + 3 items = 14 nodes."""
    from subsidy_engine import profile_files

    monkeypatch.setattr(limits, "MAX_PROFILE_NODES", NODES - extra)
    monkeypatch.setattr(profile_files, "MAX_PROFILE_NODES", NODES - extra)
    profile = {
        "credit_code": kit.GOOD, "annual_sales": "6000万", "county": "东区", "employees": 3,
        "above_scale_years": [2016, 2017, 2018],
    }  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    code, _, err = kit.run("evaluate", path, "--rulebook", kit.MINI, "--as-of", "2019-06-30")
    if extra:
        assert code == 1 and f"more than {NODES - extra} nodes" in kit.one_message(err)
        with pytest.raises(ProfileError, match=f"more than {NODES - extra:,} values"):
            mini.evaluate(profile, AS_OF)
    else:
        assert (code, err) == (0, "")
        assert mini.evaluate(profile, AS_OF).results


def test_a_huge_api_profile_is_refused_before_validation(mini: Engine) -> None:
    profile = {f"field_{i}": i for i in range(limits.MAX_PROFILE_NODES // 2)}
    with pytest.raises(ProfileError) as refused:
        mini.evaluate(profile, AS_OF)
    assert [d.code for d in refused.value.diagnostics] == ["too-large"]


def test_to_json_writes_up_to_its_limit_and_refuses_beyond(
    mini: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluation = mini.evaluate({"exhibitions": exhibitions(3)}, AS_OF)
    count = len(evaluation.results)
    monkeypatch.setattr(limits, "MAX_JSON_RESULTS", count)
    assert len(json.loads(evaluation.to_json())["results"]) == count
    monkeypatch.setattr(limits, "MAX_JSON_RESULTS", count - 1)
    with pytest.raises(InputError, match=f"{count:,} rule results are over the JSON limit"):
        evaluation.to_json()
