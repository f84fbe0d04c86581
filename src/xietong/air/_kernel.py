"""Optional compiled kernel for the IAQI of one indicator (Numba), identical to the NumPy path.

Used by :func:`xietong.air.aqi.iaqi_block` when Numba is installed; the pure-NumPy path stays the
reference and the tests check that both give the same codes on every input class (grid values, rounding
ties, finer decimals, above the table, NaN). Integer arithmetic on the scaled decimal keeps it exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

try:  # pragma: no cover - exercised when numba is installed (dev dependency)
    import numba  # type: ignore[import-untyped,import-not-found,unused-ignore]
except ImportError:  # pragma: no cover
    numba = None  # type: ignore[assignment,unused-ignore]

SCALE = 1_000_000
HUGE = 1.0e9
NO_VALUE = -1
UNDEFINED = -2


def _iaqi_kernel(
    c: Any,
    bp: Any,
    iq: Any,
    lut: Any,
    steps: int,
    decimals: int,
    special_kind: int,
    special_iaqi: int,
    cap: bool,
    out: Any,
    beyond: Any,
    special: Any,
) -> int:
    """Codes of ``c`` into ``out`` (see ``aqi.iaqi_block``); ``decimals`` < 0: no rounding (2012).

    Returns the number of negative inputs (the caller raises; their codes are meaningless).

    ``special_kind``: 0 none, 1 fixed IAQI above the last breakpoint (2026), 2 undefined (2012).
    """
    top_steps = lut.shape[0] - 2
    nbp = bp.shape[0]
    top = bp[nbp - 1]
    unit = SCALE // 10 ** max(decimals, 0)
    negative = 0
    # 2012: on the grid (within the 10⁻⁶ decimal resolution); 2026: not a rounding tie
    tol = 0.4e-6 * steps if decimals < 0 else 0.5 - 2e-6 * steps
    for i in range(c.shape[0]):
        v = c[i]
        if np.isnan(v):
            out[i] = NO_VALUE
            continue
        if v < 0:
            negative += 1
            out[i] = NO_VALUE
            continue
        x = v * steps
        xi = int(x + 0.5)  # nearest grid step (x >= 0); a tie or a miss only sends the value to the exact path
        dist = abs(x - xi)
        fast = dist <= tol
        if fast and xi <= top_steps:
            out[i] = lut[xi]
            continue
        cs = np.int64(np.rint(min(v, HUGE) * SCALE))
        if decimals >= 0:
            q = cs // unit
            r = cs - q * unit
            half = unit // 2
            if r > half or (r == half and q % 2 == 1):
                q += 1
            cs = q * unit
        if cs > top:
            if special_kind == 1:
                out[i] = special_iaqi
                special[i] = True
            elif special_kind == 2:
                out[i] = UNDEFINED
                special[i] = True
            else:
                beyond[i] = True
                out[i] = iq[nbp - 1] if cap else UNDEFINED
            continue
        h = 1
        while h < nbp - 1 and cs > bp[h]:
            h += 1
        lo = h - 1
        num = (iq[h] - iq[lo]) * (cs - bp[lo])
        den = bp[h] - bp[lo]
        out[i] = iq[lo] + (num + den - 1) // den
    return negative


def _combine_kernel(
    stack: Any,
    bits: Any,
    missing: Any,
    aqi_min: int,
    rule: int,
    publish_above: int,
    primary_above: int,
    exceed_above: int,
    level_lut: Any,
    aqi: Any,
    avail: Any,
    primary: Any,
    exceed: Any,
    level: Any,
) -> None:
    """AQI = max IAQI, the missing-data rule (0 from available, 1 NA, 2 NA unless > publish_above),
    primary and exceedance bitmasks, level: the same as ``aqi._combine``'s NumPy path."""
    k, n = stack.shape
    for i in range(n):  # slot-major loops below keep memory access contiguous
        avail[i] = NO_VALUE
    for j in range(k):
        row = stack[j]
        for i in range(n):
            avail[i] = max(avail[i], row[i])
    for i in range(n):
        best = avail[i]
        if best < 0:
            best = NO_VALUE
        elif best == 0 and aqi_min > 0:
            best = aqi_min
        avail[i] = best
        a = best
        if missing[i] and (rule == 1 or (rule == 2 and best <= publish_above)):
            a = NO_VALUE
        aqi[i] = a
        primary[i] = 0
        exceed[i] = 0
        level[i] = level_lut[a + 1]
    for j in range(k):
        row = stack[j]
        bit = bits[j]
        for i in range(n):
            a = aqi[i]
            if a > primary_above and row[i] == a:
                primary[i] |= bit
            if exceed_above >= 0 and a >= 0 and row[i] > exceed_above:
                exceed[i] |= bit


#: the compiled kernels, or None without Numba
_jit = numba.njit(cache=True, nogil=True, boundscheck=False) if numba is not None else None
KERNEL: Callable[..., int] | None = _jit(_iaqi_kernel) if _jit is not None else None
COMBINE: Callable[..., None] | None = _jit(_combine_kernel) if _jit is not None else None

__all__ = ["COMBINE", "KERNEL"]
