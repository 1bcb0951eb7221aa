"""Upload bombs on the lists' importer, each read in a fresh process whose peak memory is measured: an xlsx
zip bomb (under 1 MB, 400 MB unpacked) refused from its zip directory, and a CSV of a million rows refused
at the row limit; each with resident growth under 100 MB."""

from __future__ import annotations

import zipfile

import pytest
from django.core.exceptions import ValidationError

from matching import imports
from tests.bombs import long_csv, peak_growth, xlsx_bomb

pytestmark = pytest.mark.faults

READ = "from matching import imports; imports.read_table(name, data)"


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = xlsx_bomb(tmp_path / "名单.xlsx")
    assert bomb.stat().st_size < 1024 * 1024
    assert sum(m.file_size for m in zipfile.ZipFile(bomb).infolist()) > 400 * 1024 * 1024

    with pytest.raises(ValidationError, match="解压后太大") as refused:
        imports.read_table("名单.xlsx", bomb.read_bytes())
    assert refused.value.code == "zip_too_big"


def test_an_xlsx_zip_bomb_costs_under_100_mb(tmp_path):
    found = peak_growth(xlsx_bomb(tmp_path / "名单.xlsx"), READ)

    assert "解压后太大" in found["refused"]
    assert found["growth_mb"] < 100


def test_a_million_row_csv_is_refused_at_the_limit_costing_under_100_mb(tmp_path):
    path = long_csv(tmp_path / "名单.csv")
    assert path.stat().st_size < imports.MAX_BYTES

    found = peak_growth(path, READ)

    assert "一次最多导入5000行" in found["refused"]
    assert found["growth_mb"] < 100
