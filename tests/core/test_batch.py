"""Batch planning: prompt variables, sheets (CSV/TSV/XLSX), seeds, repeats, totals, export names."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from ideogram_studio.api.enums import AspectRatio, RenderingSpeed
from ideogram_studio.api.pricing import estimate_cost
from ideogram_studio.api.requests import GenerateRequest
from ideogram_studio.batch.plan import (
    TAG_BATCH,
    TAG_ROW,
    SeedMode,
    SeedPolicy,
    export_name,
    from_sheet,
    from_template,
)
from ideogram_studio.batch.sheet import SheetError, read_sheet
from ideogram_studio.batch.variables import MAX_COMBINATIONS, TemplateError, expand_prompt, parse_template


# ---- variables -------------------------------------------------------------------------------
def test_inline_alternatives_expand_to_every_combination_in_reading_order() -> None:
    texts = [e.text for e in expand_prompt("a {red|blue|green} {mug|poster}")]
    assert texts == [
        "a red mug", "a red poster", "a blue mug", "a blue poster", "a green mug", "a green poster",
    ]


def test_named_list_and_values_recorded() -> None:
    out = expand_prompt("{colour} {mug|cap}", {"colour": ["teal", "coral"]})
    assert [e.text for e in out] == ["teal mug", "teal cap", "coral mug", "coral cap"]
    assert dict(out[3].values) == {"colour": "coral", "#2": "cap"}


def test_literal_braces_and_empty_choice() -> None:
    assert [e.text for e in expand_prompt("{{logo}} {big |}cat")] == ["{logo} big cat", "{logo} cat"]


def test_a_template_without_groups_is_one_prompt() -> None:
    assert [e.text for e in expand_prompt("just a cat")] == ["just a cat"]


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("a {red|blue mug", 2, "never closed"),
        ("a red} mug", 5, "closes no"),
        ("a {red|{x|y}}", 7, "nested"),
        ("a {} mug", 2, "empty"),
        ("a {colour} mug", 2, "no list called 'colour'"),
    ],
)
def test_template_errors_name_the_position(text: str, position: int, words: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(text)
    assert info.value.position == position
    assert words in info.value.message


def test_too_many_combinations_refused_before_expanding() -> None:
    text = " ".join("{a|b|c|d|e|f|g|h|i|j}" for _ in range(5))  # 100,000
    template = parse_template(text)
    assert template.count() > MAX_COMBINATIONS
    with pytest.raises(TemplateError, match="at most"):
        template.expand()


# ---- plans from templates --------------------------------------------------------------------
def test_template_plan_repeats_seeds_and_tags() -> None:
    base = GenerateRequest(prompt="x", num_images=2, aspect_ratio=AspectRatio.AR_1X1)
    plan = from_template(
        "Mugs", base, expand_prompt("a {red|blue} mug"), seeds=SeedPolicy(SeedMode.INCREMENTING, 41), repeat=2
    )
    assert [(i.request.prompt, i.row, i.copy, i.request.seed) for i in plan.items] == [
        ("a red mug", 1, 1, 41), ("a red mug", 1, 2, 42), ("a blue mug", 2, 1, 43), ("a blue mug", 2, 2, 44),
    ]
    assert plan.request_count == 4 and plan.image_count == 8
    assert all(i.request.aspect_ratio is AspectRatio.AR_1X1 for i in plan.items)
    tags = plan.items[2].tags(plan.name)
    assert tags[TAG_BATCH] == "Mugs" and tags[TAG_ROW] == 2


def test_seed_policies() -> None:
    assert SeedPolicy(SeedMode.FIXED, 7).seeds(3) == [7, 7, 7]
    assert SeedPolicy().seeds(2) == [None, None]
    a = SeedPolicy(SeedMode.RANDOM).seeds(50, random.Random(1))
    assert len(set(a)) > 45 and all(0 <= s <= 2_147_483_647 for s in a if s is not None)


def test_total_cost_sums_known_prices_and_counts_unknown() -> None:
    base = GenerateRequest(prompt="x", rendering_speed=RenderingSpeed.TURBO)
    plan = from_template("b", base, expand_prompt("{a|b|c}"))
    total, unknown = plan.total_cost(estimate_cost)
    one = estimate_cost(plan.items[0].request)
    assert one is not None and total == one * 3 and unknown == 0
    assert plan.total_cost(lambda _r: None) == (Decimal(0), 3)


# ---- sheets ----------------------------------------------------------------------------------
def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_csv_sheet_rows_become_requests(tmp_path: Path) -> None:
    sheet = read_sheet(_write(tmp_path / "s.csv", "prompt,aspect_ratio,seed,repeat\nmug,1x1,5,2\nposter,16x9,,\n"))
    assert sheet.ok, sheet.problems
    assert [(r.row, r.request.prompt, r.repeat) for r in sheet.rows] == [(2, "mug", 2), (3, "poster", 1)]
    assert sheet.rows[0].request.seed == 5
    plan = from_sheet("S", sheet)
    assert [i.row for i in plan.items] == [2, 2, 3]


def test_tsv_and_list_fields(tmp_path: Path) -> None:
    sheet = read_sheet(_write(tmp_path / "s.tsv", "prompt\tstyle_codes\nmug\tAABBCCDD, 11223344\n"))
    assert sheet.ok, sheet.problems
    assert sheet.rows[0].request.style_codes == ("AABBCCDD", "11223344")


def test_every_problem_named_by_row_and_column(tmp_path: Path) -> None:
    rows = ["prompt,seed"] + [f"p{i},{i}" for i in range(2, 37)] + ["bad,-4", ",", "ok,1"]
    sheet = read_sheet(_write(tmp_path / "s.csv", "\n".join(rows) + "\n"))
    found = {(p.row, p.column) for p in sheet.problems}
    assert (37, "seed") in found  # the bad value in row 37
    assert (38, None) in found  # the empty row
    assert len(sheet.rows) == 36  # rows 2-36 and row 39: the valid rows stay sendable
    assert "row 37, column 'seed'" in str(next(p for p in sheet.problems if p.row == 37))


def test_unknown_column_refuses_the_sheet(tmp_path: Path) -> None:
    sheet = read_sheet(_write(tmp_path / "s.csv", "prompt,colour\nmug,red\n"))
    assert not sheet.rows
    assert [(p.row, p.column) for p in sheet.problems] == [(1, "colour")]


def test_headers_as_a_designer_writes_them_are_read_and_typos_get_a_suggestion(tmp_path: Path) -> None:
    sheet = read_sheet(_write(tmp_path / "s.csv", "Prompt,Aspect ratio,Rendering-Speed\nmug,16x9,TURBO\n"))
    assert sheet.ok, sheet.problems
    assert sheet.columns == ["prompt", "aspect_ratio", "rendering_speed"]
    assert sheet.rows[0].request.aspect_ratio == "16x9"
    typo = read_sheet(_write(tmp_path / "t.csv", "prompt,seeds\nmug,4\n"))
    assert not typo.rows and "did you mean 'seed'?" in str(typo.problems[0])
    assert str(typo.problems[0]).startswith("row 1, column 'seeds': is not a request field")


def test_xlsx_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["prompt", "num_images", "rendering_speed"])
    ws.append(["a lighthouse", 2, "TURBO"])
    ws.append(["a harbour", 1.0, None])
    book.save(tmp_path / "s.xlsx")
    sheet = read_sheet(tmp_path / "s.xlsx")
    assert sheet.ok, sheet.problems
    assert [(r.request.prompt, r.request.num_images) for r in sheet.rows] == [("a lighthouse", 2), ("a harbour", 1)]


def test_not_a_sheet(tmp_path: Path) -> None:
    with pytest.raises(SheetError, match="Excel"):
        read_sheet(_write(tmp_path / "s.xlsx", "not a zip"))
    with pytest.raises(SheetError, match=r"\.csv"):
        read_sheet(_write(tmp_path / "s.pdf", "x"))
    with pytest.raises(SheetError, match="empty"):
        read_sheet(_write(tmp_path / "s.csv", ""))


def test_export_name_template_is_one_safe_file_name() -> None:
    assert export_name("{batch}-{row}-{seed}", {"batch": "Mugs", "row": 3, "seed": 42}, ".png") == "Mugs-3-42.png"
    assert export_name("{batch}/{row}", {"batch": "../etc", "row": 1}, ".png") == "etc_1.png"
    assert export_name("{nothing}", {}, ".png") == "image.png"
