"""Three-document matching: when an order's declaration clears customs' information system.

The order data is sent at creation; payment and waybill data follow after their delays. Matching happens
once all three are in; a mismatch (probability `mismatch_probability`) is found then and corrected after
`correction_time_h`, after which the check runs again.
"""

from __future__ import annotations

import numpy as np

from logistics.core.units import MINUTES_PER_HOUR
from logistics.scenario.customs import DocumentMatching


def document_delays_h(docs: DocumentMatching, n: int, rng: np.random.Generator) -> np.ndarray:
    """Hours from order creation to a cleared declaration, for `n` orders."""
    payment = docs.payment_delay_min.sample(rng, n) / MINUTES_PER_HOUR
    waybill = docs.waybill_delay_min.sample(rng, n) / MINUTES_PER_HOUR
    check = docs.check_time_min.sample(rng, n) / MINUTES_PER_HOUR
    mismatch = rng.random(n) < docs.mismatch_probability
    correction = np.where(mismatch, docs.correction_time_h.sample(rng, n), 0.0)
    recheck = np.where(mismatch, docs.check_time_min.sample(rng, n) / MINUTES_PER_HOUR, 0.0)
    return np.maximum(payment, waybill) + check + correction + recheck
