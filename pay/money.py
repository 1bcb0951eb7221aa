"""Money in one place: every yuan figure in Nuanxin is computed here.

Amounts are ``Decimal`` yuan; wages are rounded half-up to the fen (0.01 yuan) per pay line, as the
glossary's 计件工资 says. Later issues (full settlement, bonuses, statements) extend this module.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")


def to_yuan(value: Decimal | int | str) -> Decimal:
    """Round a yuan amount half-up to the fen. ``to_yuan(Decimal("0.125")) == Decimal("0.13")``."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


# A yuan amount as a person types it: an optional minus, digits, at most one point; full-width forms made
# plain first, and a ¥ or 元 around it dropped. No exponent ("1e3" would be a thousand yuan), no thousands
# separator, no NaN or Infinity.
_YUAN_TEXT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")


def yuan_typed(value) -> Decimal | None:
    """What a person typed (or a Decimal a form cleaned) as a yuan Decimal, exactly as written (not yet
    rounded); None when it is not a plain number. Callers say in their own words what they refuse (a sign,
    more than two places, a limit). ``yuan_typed("１２.5元") == Decimal("12.5")``; ``yuan_typed("1e3")`` is
    None."""
    if isinstance(value, Decimal):
        text = f"{value:f}" if value.is_finite() else ""
    else:
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        text = text.removeprefix("¥").removesuffix("元").strip()
    return Decimal(text) if _YUAN_TEXT.fullmatch(text) else None


def wage_amount(pieces: int, rate: Decimal) -> Decimal:
    """Piece wage (计件工资): ``pieces`` (int ≥ 0) × ``rate`` (yuan/piece), half-up to the fen.

    Raises ValueError for a negative or non-integer piece count.
    """
    if not isinstance(pieces, int) or isinstance(pieces, bool) or pieces < 0:
        raise ValueError("pieces must be a non-negative int")
    return to_yuan(Decimal(pieces) * Decimal(rate))


def firm_amount(pieces: int, rate: Decimal) -> Decimal:
    """What a firm pays for ``pieces`` passed pieces (加工费) at its ``rate`` (yuan/piece), half-up to the
    fen. ``pieces`` may be negative (a correction line takes pieces back). ``firm_amount(3, Decimal("0.0350"))
    == Decimal("0.11")``."""
    return to_yuan(Decimal(int(pieces)) * Decimal(rate))


def operator_fee_per_piece(rate: Decimal, *, kind: str, value: Decimal) -> Decimal:
    """The operator's fee (运营服务费) in yuan per piece on a job of piece ``rate`` (yuan/piece), by a
    pairing's ``kind`` (``workshop.models.OperatorFeeKind``) and ``value``: ``"percent"`` takes ``value`` %
    of the rate, half-up to 0.0001 yuan (the rate's own places, so rate = worker's rate + fee exactly);
    ``"per_piece"`` is ``value`` yuan; ``"none"`` is 0. ``operator_fee_per_piece(Decimal("0.0333"),
    kind="percent", value=Decimal("15")) == Decimal("0.0050")``. Raises ValueError for another kind."""
    if kind == "none":
        return Decimal("0.0000")
    if kind == "percent":
        return (Decimal(rate) * Decimal(value) / 100).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if kind == "per_piece":
        return Decimal(value).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    raise ValueError(f"unknown operator fee kind {kind!r}")


def firm_saving(pieces: int, inhouse_cost: Decimal, rate: Decimal) -> Decimal:
    """A firm's saving (降本) on ``pieces`` passed pieces: (in-house cost − piece rate) × pieces, to the fen.

    Negative when the workshop's rate is above the firm's own cost.
    """
    return to_yuan(Decimal(pieces) * (Decimal(inhouse_cost) - Decimal(rate)))


def annualise(total: Decimal, days: int) -> Decimal:
    """Scale a total earned over ``days`` calendar days to a 365-day year, to the fen."""
    if days <= 0:
        raise ValueError("days must be positive")
    return to_yuan(Decimal(total) * Decimal(365) / Decimal(days))


def yuan_sum(amounts) -> Decimal:
    """The sum of yuan ``amounts`` (Decimals already to the fen), to the fen; ``Decimal("0.00")`` if empty.

    Sums in Python, never in the database: SQLite adds decimals as floats.
    """
    return to_yuan(sum((Decimal(a) for a in amounts), Decimal("0")))


def hourly_equivalent(rate: Decimal, pieces_per_hour: int) -> Decimal:
    """What a piece rate pays an hour (计件单价折合时薪): ``rate`` (yuan/piece) × ``pieces_per_hour`` (a
    whole number of pieces an hour, ≥ 0), in yuan/hour half-up to the fen.
    ``hourly_equivalent(Decimal("0.035"), 571) == Decimal("19.99")``.

    Raises ValueError for a negative or non-integer speed.
    """
    if not isinstance(pieces_per_hour, int) or isinstance(pieces_per_hour, bool) or pieces_per_hour < 0:
        raise ValueError("pieces_per_hour must be a non-negative int")
    return to_yuan(Decimal(rate) * pieces_per_hour)


def below_minimum_wage(hourly: Decimal, minimum: Decimal) -> bool:
    """Whether an hourly equivalent (yuan/hour) is below a minimum hourly wage (yuan/hour), both compared
    to the fen: exactly the minimum is not below it.

    The minimum is the part-time (非全日制) minimum hourly wage of the workshop's place and tier, set by the
    community admin (``workshop.models.MinimumWage``). Zhejiang's from 2024-01-01: 24 / 22 / 20 yuan an
    hour in tiers one, two and three (浙江省人民政府《关于调整全省最低工资标准的通知》, 2024, in force from
    2024-01-01; it replaced 浙政发〔2021〕22号). A piecework hour below it is a fact to raise in the rate
    talk with the firm, never a reason to refuse the job.
    """
    return to_yuan(hourly) < to_yuan(minimum)


# Goals from the model case (../shared/SCENARIO.md): expected extra income a year per worker, and the
# average yearly saving per paired firm. Reports compare ledger figures with these; planning uses the
# income goals to see who is furthest below theirs.
INCOME_GOAL_YUAN = {"fixed": Decimal("40000"), "part_time": Decimal("15000")}
FIRM_SAVING_GOAL_YUAN = Decimal("180000")
