"""Pick-face replenishment: when and how much a pick face is refilled from reserve (`FACE_REPLENISHMENT`),
a Protocol with the built-in policy registered by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from logistics.policies.registry import Registry

__all__ = ["FACE_REPLENISHMENT", "FaceReplenishmentPolicy", "SmallSBigS"]


# --- pick-face replenishment ----------------------------------------------------------------------------------
class FaceReplenishmentPolicy(Protocol):
    """Refilling a pick face from the reserve: how many units to bring now."""

    def refill_units(self, face_units: int, capacity_units: int) -> int:
        """Units to move to the face now (0 = no trip)."""
        ...


@dataclass(frozen=True)
class SmallSBigS:
    """(s, S): when the face holds `s` or fewer units (as a share of its capacity), bring it up to `S`."""

    s: float = 0.25
    S: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.s < self.S <= 1:
            raise ValueError(f"need 0 <= s < S <= 1 (shares of the face capacity), got s={self.s}, S={self.S}")

    def refill_units(self, face_units: int, capacity_units: int) -> int:
        """Up to S once at or below s."""
        if face_units > self.s * capacity_units:
            return 0
        return max(0, int(self.S * capacity_units) - face_units)


FACE_REPLENISHMENT: Registry[FaceReplenishmentPolicy] = Registry("pick-face replenishment")
FACE_REPLENISHMENT.register("s_S", SmallSBigS)
