"""`subsidy-engine mapping suggest`: a draft mapping from a registry's headers and values that,
once its undecided values are filled in, scores the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, TmpFile

REGISTRY = (
    "统一社会信用代码,企业名称,登记注册类型,所在县区,从业人员,营业收入(万元),是否在园区,规上年份,备注\n"
    "91140681MA0K4D7U2Y,甲,私营,朔州市平鲁区,120,2595.18,是,2018;2019,x\n"
    "91140681MA0K4D7U2Y,乙,国有,怀仁市,30,500,否,,y\n"
)


def test_a_suggested_mapping_reads_units_yes_no_prefixes_and_lists(
    cli: Cli, tmp_path: Path, tmp_file: TmpFile
) -> None:
    source = tmp_file("registry.csv", REGISTRY, encoding="gbk")
    draft = tmp_path / "mapping.yaml"
    code, _, _ = cli("mapping", "suggest", str(source), "--encoding", "gbk", "-o", str(draft))
    assert code == 0
    text = draft.read_text(encoding="utf-8")
    assert '{column: "营业收入(万元)", unit: 万元}' in text
    assert "in_park: {column: 是否在园区, values: {是: true, 否: false}}" in text
    assert "county: {column: 所在县区, strip: [朔州市]}" in text
    assert 'above_scale_years: {column: 规上年份, list: ";"}' in text
    assert 'values: {国有: "?", 私营: "?"}' in text
    score = [
        "score",
        str(source),
        "-o",
        str(tmp_path / "o.csv"),
        "--encoding",
        "gbk",
        "--mapping",
        str(draft),
        "--as-of",
        "2019-12-31",
        "--min-fields",
        "0",
    ]
    code, _, err = cli(*score)
    assert code == 1
    assert "'?' is not a value of ownership" in err
    draft.write_text(
        text.replace('国有: "?", 私营: "?"', "国有: state_owned, 私营: private"), encoding="utf-8"
    )
    code, out, _ = cli(*score)
    assert code == 0
    assert "2 rows read: 2 scored, 0 rejected" in out


def test_chinese_headers_without_a_mapping_are_refused(
    cli: Cli, tmp_path: Path, tmp_file: TmpFile
) -> None:
    source = tmp_file("registry.csv", REGISTRY)
    out = tmp_path / "o.csv"
    code, _, err = cli("score", str(source), "-o", str(out), "--as-of", "2019-12-31")
    assert code == 2
    assert "only 1 of the 67 fields the rulebook reads have a column" in err
    assert "'营业收入(万元)': closest operating_revenue (营业收入)" in err
    assert not out.exists()


def test_a_draft_mapping_is_never_written_over_its_registry(
    cli: Cli, tmp_path: Path, tmp_file: TmpFile
) -> None:
    source = tmp_file("registry.csv", REGISTRY, encoding="gbk")
    code, _, err = cli("mapping", "suggest", str(source), "--encoding", "gbk", "-o", str(source))
    assert code == 2
    assert source.read_bytes() == REGISTRY.encode("gbk")
    assert str(source) in err
    assert [p.name for p in tmp_path.iterdir()] == ["registry.csv"]
