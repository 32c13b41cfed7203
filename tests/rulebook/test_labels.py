"""Enum values are shown to people by their labels, read from the rulebook."""

import re
from functools import cache

from hypothesis import assume, given
from hypothesis import strategies as st

from subsidy_engine import Engine
from subsidy_engine.rulebook.labels import ValueLabels
from subsidy_engine.rulebook.models import ListFieldSpec, ScalarFieldSpec

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_enum_value_of_the_shipped_rulebook_has_a_chinese_label() -> None:
    rulebook = Engine().rulebook
    enums: dict[str, list[str]] = {}
    for name, spec in rulebook.profile.spec.fields.items():
        if isinstance(spec, ScalarFieldSpec) and spec.values:
            enums[name] = spec.values
        elif isinstance(spec, ListFieldSpec):
            for item, item_spec in (spec.fields or {}).items():
                if item_spec.values:
                    enums[f"{name}.{item}"] = item_spec.values
    assert rulebook.sources is not None and rulebook.sources.derived is not None
    for name, fact in rulebook.sources.derived.derived.items():
        if fact.values:
            enums[name] = fact.values
    assert {"ownership", "projects.kind", "sme_size_class", "sme_sector"} <= set(enums)
    for field, values in enums.items():
        for value in values:
            label = rulebook.labels.label(field, value, "zh")
            assert HAN.search(label), f"{field}: {value!r} has no Chinese label"


def test_a_label_is_found_through_an_item_index_and_falls_back_to_the_value() -> None:
    labels = Engine().rulebook.labels
    assert labels.label("ownership", "private", "zh") == "私营企业"
    assert labels.label("ownership", "private", "en") == "private"
    assert labels.label("projects[3].land_tenure", "lease_then_transfer", "zh") == "先租后让"
    assert labels.label("sme_size_class", "micro", "zh") == "微型"
    assert labels.label("county", "应县", "en") == "Ying County"
    assert labels.label("ownership", "not_a_value", "zh") == "not_a_value"
    assert labels.label("employees", 12, "zh") == "12"


def test_labels_are_in_the_profile_schema_for_forms() -> None:
    schema = Engine().profile_model.model_json_schema()
    ownership = schema["properties"]["ownership"]
    assert ownership["labels"]["state_owned"] == "国有企业"
    assert "labels_en" not in ownership
    assert schema["properties"]["county"]["labels_en"]["怀仁市"] == "Huairen City"
    item = schema["$defs"]["AwardsItem"]["properties"]["level"]
    assert item["labels"] == {"national": "国家级", "provincial": "省级", "city": "市级"}


def test_no_labels_means_every_value_is_shown_as_itself() -> None:
    assert ValueLabels().label("ownership", "private", "zh") == "private"
    assert ValueLabels().of("ownership", "zh") == {}


@cache
def _engine() -> Engine:
    return Engine()


_ENUMS = {
    name: spec.values
    for name, spec in _engine().rulebook.profile.spec.fields.items()
    if isinstance(spec, ScalarFieldSpec) and spec.values
}


@given(
    field=st.sampled_from(sorted(_ENUMS)),
    index=st.integers(min_value=0, max_value=1000),
    other=st.text(max_size=12),
)
def test_labels_round_trip_and_never_invent(field: str, index: int, other: str) -> None:
    """Each declared value has exactly one Chinese label, distinct from the field's other
    values' labels (a person can tell the choices apart); a value not declared reads as
    itself, whatever it is."""
    labels = _engine().rulebook.labels
    values = _ENUMS[field]
    value = values[index % len(values)]
    chinese = labels.of(field, "zh")
    assert chinese[value] == labels.label(field, value, "zh")
    assert len(set(chinese.values())) == len(chinese)
    assume(other not in values)
    assert labels.label(field, other, "zh") == other
    assert labels.label(f"{field}[3]", other, "en") == other
