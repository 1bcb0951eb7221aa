"""The planning priors: how long a piece of each kind takes until a worker's own speed is learned, and the
smallest share worth a trip for materials. A leaf module, so the optimiser and planning both read it
without importing each other."""

from __future__ import annotations

from workshop.models import ProcessKind

# Prior speeds (pieces per hour) by process kind, until the optimiser learns each worker's own speed.
PRIOR_PIECES_PER_HOUR: dict[str, int] = {
    ProcessKind.ASSEMBLY: 60,
    ProcessKind.FABRIC: 30,
    ProcessKind.PACKAGING: 80,
    ProcessKind.OTHER: 40,
}
MIN_SHARE = 50  # pieces: smaller shares cost more in handling than they save in time

# Standard seconds per piece by process kind, from the priors (pieces an hour; all divide 3600).
SECONDS_PER_PIECE: dict[str, int] = {str(kind): 3600 // n for kind, n in PRIOR_PIECES_PER_HOUR.items()}


def hours_for(pieces: int, kind: str) -> float:
    """Hours ``pieces`` of ``kind`` take at the prior speed."""
    return pieces / PRIOR_PIECES_PER_HOUR.get(kind, 40)
