"""HJ 633 tables typed in from the standard's text (STANDARDS.md §1.2), and a slow scalar reference.

Not read from the TOML files, so the tests that use them check the TOML files as well as the code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

# HJ 633-2012 Table 1 and HJ 633-2026 Table 3, typed in from STANDARDS.md §1.2 (not read from the TOML,
# so these tests check the TOML files as well as the code).
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
COMMON = {
    ("SO2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("SO2", "1h"): (0, 150, 500, 650, 800),
    ("NO2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("NO2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("CO", "24h"): ("0", "2", "4", "14", "24", "36", "48", "60"),
    ("CO", "1h"): ("0", "5", "10", "35", "60", "90", "120", "150"),
    ("O3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("O3", "8h"): (0, 100, 160, 215, 265, 800),
}
TABLES: dict[str, dict[tuple[str, str], tuple[Decimal, ...]]] = {
    "2012": {
        **{k: tuple(Decimal(str(x)) for x in v) for k, v in COMMON.items()},
        ("PM10", "24h"): tuple(Decimal(x) for x in (0, 50, 150, 250, 350, 420, 500, 600)),
        ("PM2.5", "24h"): tuple(Decimal(x) for x in (0, 35, 75, 115, 150, 250, 350, 500)),
    },
    "2026": {
        **{k: tuple(Decimal(str(x)) for x in v) for k, v in COMMON.items()},
        ("PM10", "24h"): tuple(Decimal(x) for x in (0, 50, 120, 250, 350, 420, 500, 600)),
        ("PM2.5", "24h"): tuple(Decimal(x) for x in (0, 35, 60, 115, 150, 250, 350, 500)),
    },
}


def reference_iaqi(conc: str | Decimal, pollutant: str, averaging: str, edition: str) -> int | None:
    """HJ 633 eq. (1) written straight from the text, on Decimal input, with Fraction arithmetic.

    2026: round the concentration half to even (integers; CO one decimal) first (§4.2.2-4.2.3).
    Returns None where the standard defines no IAQI (2012 SO2 1h / O3 8h > 800, above the table).
    """
    c = Decimal(conc)
    if edition == "2026":
        c = c.quantize(Decimal("0.1") if pollutant == "CO" else Decimal("1"), rounding=ROUND_HALF_EVEN)
    if averaging == "1h" and pollutant in ("PM10", "PM2.5"):
        averaging = "24h"
    bp = TABLES[edition][(pollutant, averaging)]
    if c > bp[-1]:
        if (pollutant, averaging) == ("SO2", "1h"):
            return 200 if edition == "2026" else None
        if (pollutant, averaging) == ("O3", "8h"):
            return 300 if edition == "2026" else None
        return None
    for i in range(1, len(bp)):
        if c <= bp[i]:
            lo, hi = bp[i - 1], bp[i]
            value = Fraction(IAQI_STEPS[i] - IAQI_STEPS[i - 1]) * Fraction(c - lo) / Fraction(hi - lo)
            exact = Fraction(IAQI_STEPS[i - 1]) + value
            return -(-exact.numerator // exact.denominator)  # ceiling, §6.2 (2012) / §4.2.6 (2026)
    raise AssertionError("unreachable")
