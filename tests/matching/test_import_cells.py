"""Cells as communities write them: counts with 万/千 and Chinese numerals, units, ranges, monthly figures,
piece rates in yuan, jiao and fen, periods in words, ID numbers, control characters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from stdnum.cn import ric

from matching import imports
from matching.imports.parsing import UnknownSkills, check_text, parse_choice, parse_id_number, parse_skills
from matching.imports.quantities import HOUR_UNITS, PIECE_UNITS
from matching.imports.vocabulary import WISH_PLACE_WORDS
from workshop.models import WorkPlace

AUGUST = dt.date(2025, 8, 20)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.5万件", 15000),
        ("两千", 2000),
        ("一万五", 15000),
        ("3,000", 3000),
        ("３０００件", 3000),
        ("约40个钟头", 40),
        ("二十小时", 20),
        ("1万2", 12000),
        ("3千", 3000),
        ("40.0", 40),
        ("500件左右", 500),
    ],
)
def test_counts_with_wan_qian_chinese_numerals_and_units_are_read(text, expected):
    assert imports.parse_count(imports.norm(text), units=PIECE_UNITS + HOUR_UNITS).value == expected


def test_a_range_counts_as_its_lower_end_and_says_so():
    parsed = imports.parse_count("20-30小时", units=HOUR_UNITS)
    assert (parsed.value, parsed.note) == (20, "“20-30小时”按少的20算")


@pytest.mark.parametrize("text", ["很多", "看情况", "1.5个"])
def test_counts_that_are_no_whole_number_are_refused_in_words(text):
    with pytest.raises(imports.CellError):
        imports.parse_count(text, units=PIECE_UNITS)


def test_a_monthly_figure_becomes_weekly_and_says_so():
    by_column = imports.parse_pieces_per_week("1.5万件", monthly=True)
    by_cell = imports.parse_pieces_per_week("每月1.5万件")
    weekly = imports.parse_pieces_per_week("每周两千件")
    assert (by_column.value, by_cell.value, weekly.value) == (3462, 3462, 2000)
    assert by_column.note == "每月15000件,折合每周约3462件"
    assert weekly.note == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.12元/件", "0.1200"),
        ("¥0.12", "0.1200"),
        ("￥0.035", "0.0350"),
        ("0.12", "0.1200"),
        ("每件1毛2", "0.1200"),
        ("1角2分", "0.1200"),
        ("5分", "0.0500"),
        ("两毛", "0.2000"),
        ("1块2", "1.2000"),
        ("1.2元每件", "1.2000"),
    ],
)
def test_piece_rates_in_yuan_jiao_and_fen(text, expected):
    assert imports.parse_rate(imports.norm(text)) == Decimal(expected)


@pytest.mark.parametrize(
    "text, message",
    [("0.12345", "最多4位小数"), ("0", "要大于0"), ("2000元", "超过1000元一件"), ("面议", "看不懂")],
)
def test_piece_rates_that_cannot_be_a_rate_are_refused_in_words(text, message):
    with pytest.raises(imports.CellError, match=message):
        imports.parse_rate(text)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("9月到12月", dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        ("九月至十二月", dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        ("9-12月", dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        ("长期", AUGUST, None),
        ("9月起", dt.date(2025, 9, 1), None),
        ("即日起至年底", AUGUST, dt.date(2025, 12, 31)),
        ("11月到次年2月", dt.date(2025, 11, 1), dt.date(2026, 2, 28)),
        ("3月到6月", dt.date(2026, 3, 1), dt.date(2026, 6, 30)),  # already over this year: next year's
        ("2025年9月-2026年1月", dt.date(2025, 9, 1), dt.date(2026, 1, 31)),
        ("2025.9-2025.12", dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        ("2025-09-01到2025-12-31", dt.date(2025, 9, 1), dt.date(2025, 12, 31)),
        ("9月15日到10月底", dt.date(2025, 9, 15), dt.date(2025, 10, 31)),
        ("10月", dt.date(2025, 10, 1), dt.date(2025, 10, 31)),
    ],
)
def test_periods_in_words(text, start, end):
    assert imports.parse_period(imports.norm(text), today=AUGUST) == (start, end)


@pytest.mark.parametrize("text", ["看情况", "2025年12月到2025年9月"])
def test_periods_that_cannot_be_read_are_refused_in_words(text):
    with pytest.raises(imports.CellError):
        imports.parse_period(text, today=AUGUST)


def _id(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_an_id_number_whose_area_code_is_newer_than_its_holder_is_a_warning_not_a_refusal():
    # 330424 (海盐县) is in use from 1983: a resident born in 1960 holds it all the same.
    parsed = parse_id_number(_id("33042419600101002"))
    assert parsed.value == _id("33042419600101002")
    assert "330424(海盐县)1983年起才使用,晚于出生年份1960年" in parsed.note
    assert parse_id_number(_id("33042419900101002")).note == ""


def _wrong_check(body17: str) -> str:
    right = ric.calc_check_digit(body17 + "0")
    return body17 + ("1" if right != "1" else "2")


@pytest.mark.parametrize(
    "text", [_wrong_check("33042419600101002"), "33042419600101002", "330424196013010025"]
)
def test_a_malformed_id_number_is_refused_without_repeating_it(text):
    with pytest.raises(imports.CellError) as exc:
        parse_id_number(text)
    assert text not in str(exc.value)


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\u200b", "\ufeff", "\x0b"])
def test_a_control_character_is_named_with_its_place(char):
    with pytest.raises(imports.CellError) as exc:
        check_text(f"王{char}秀英")
    assert f"第2个字处有看不见的控制字符(U+{ord(char):04X})" in str(exc.value)


def test_unknown_skill_words_are_offered_not_refused_outright():
    with pytest.raises(UnknownSkills) as exc:
        parse_skills("缝纫、钉扣、穿线", {})
    assert exc.value.words == ["钉扣", "穿线"]
    assert parse_skills("缝纫、钉扣", {"钉扣": "fabric"}) == (["fabric"], ["缝纫", "钉扣"])
    assert imports.guess_kind("钉扣") == "fabric" and imports.guess_kind("穿线") == "fabric"


@pytest.mark.parametrize("text", ["在家里", "家里做", "在自己家"])
def test_a_wish_to_work_at_home_in_a_clerks_own_words_is_read_as_home(text):
    assert parse_choice(text, WISH_PLACE_WORDS) == WorkPlace.HOME
