"""One account's free blocks of one unit type on plain tuples: the hot path of a single move.

:mod:`xietong.trading.serials` is the vectorised core over whole block tables (issues, replays, checks).
A transfer, though, touches a handful of blocks of one account, and building pandas frames for them cost
more than the move itself (``bench/RESULTS.md``, transfers on PostgreSQL). :func:`take` makes the same
choice as :func:`xietong.trading.serials.take` on a sorted list of ``(first_serial, last_serial)`` pairs:

* by quantity, lowest serials first, the last block split when needed (the untouched blocks stay as they
  are, so their stored rows are kept);
* by explicit serial ranges, through the vectorised core itself (rare, and its checks are many), so both
  paths give the same blocks and the same refusals.

:func:`merge` joins ranges whose serials follow on (what the core does with the blocks that arrive in an
account). A property test checks :func:`take` against the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from xietong.trading import serials
from xietong.trading.enums import BlockState

Range = tuple[int, int]


def merge(ranges: Iterable[Range]) -> list[Range]:
    """Sort ranges and join those whose serials follow on (``last + 1 == first``)."""
    out: list[Range] = []
    for first, last in sorted(ranges):
        if out and out[-1][1] + 1 == first:
            out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def take(
    blocks: Sequence[Range],
    *,
    account: str,
    unit_type: str,
    quantity: int | None = None,
    serial_ranges: Iterable[tuple[int, int]] | None = None,
) -> tuple[list[Range], list[Range]]:
    """Choose units from one account's free held blocks of ``unit_type`` (sorted by first serial):
    ``(taken, rest)``, both sorted by first serial. Refuses like :func:`xietong.trading.serials.take`."""
    if serial_ranges is not None or quantity is None:
        return _take_core(blocks, account, unit_type, quantity, serial_ranges)
    q = serials.check_quantity(quantity)
    taken: list[Range] = []
    left = q
    for i, (first, last) in enumerate(blocks):
        size = last - first + 1
        if size < left:
            taken.append((first, last))
            left -= size
            continue
        taken.append((first, first + left - 1))
        rest = ([(first + left, last)] if size > left else []) + list(blocks[i + 1 :])
        return taken, rest
    raise serials.not_enough_units(account, unit_type, q - left, q)


def _take_core(
    blocks: Sequence[Range],
    account: str,
    unit_type: str,
    quantity: int | None,
    serial_ranges: Iterable[tuple[int, int]] | None,
) -> tuple[list[Range], list[Range]]:
    n = len(blocks)
    frame = serials.blocks_frame(
        [unit_type] * n,
        [f for f, _ in blocks],
        [la for _, la in blocks],
        [account] * n,
        [BlockState.HELD.value] * n,
    )
    taken, rest = serials.take(frame, account=account, unit_type=unit_type, quantity=quantity, serials=serial_ranges)

    def pairs(f: pd.DataFrame) -> list[Range]:
        return sorted(zip(f["first_serial"].tolist(), f["last_serial"].tolist(), strict=True))

    return pairs(taken), pairs(rest)


__all__ = ["Range", "merge", "take"]
