"""An xlsx zip bomb on the places import: refused from its zip directory, in a fresh process whose peak
memory grows under 100 MB."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from logistics import imports
from tests.bombs import peak_growth, xlsx_bomb

pytestmark = pytest.mark.faults


def test_a_places_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = xlsx_bomb(tmp_path / "地点.xlsx")
    assert bomb.stat().st_size < imports.MAX_BYTES

    with pytest.raises(ValidationError, match="解压后太大"):
        imports.read_sheet(bomb.read_bytes())


def test_a_places_zip_bomb_costs_under_100_mb(tmp_path):
    found = peak_growth(
        xlsx_bomb(tmp_path / "地点.xlsx"), "from logistics import imports; imports.read_sheet(data)"
    )

    assert "解压后太大" in found["refused"]
    assert found["growth_mb"] < 100
