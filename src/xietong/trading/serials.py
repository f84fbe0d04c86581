"""Serial-numbered blocks: who holds which units, moved whole or split, never duplicated.

Units are issued in blocks ``(unit_type, first_serial, last_serial, account, state)`` with inclusive serial
ranges, as registries do (the EU Union Registry's unit blocks; UNDP's national carbon registry gives every
credit block a serial range that is split on partial transfers and retirements). Every operation takes whole
blocks or splits one, and returns the new block table plus the blocks it moved, so that:

* each serial of a unit type is in exactly one block (blocks of a unit type are disjoint),
* the units of a unit type add up to what was issued (conservation),
* no account holds a negative quantity, and only ``held`` blocks move again,
* the history of every serial is the list of moves whose range contains it (:func:`trace`).

Everything here is pure and vectorised over NumPy arrays: a service loads an account's blocks from the
store into a frame, calls :func:`move` / :func:`end_life`, and writes ``result.blocks`` and ``result.moved``.

Block frame columns (:data:`BLOCK_COLUMNS`): ``unit_type`` (str), ``first_serial`` and ``last_serial``
(int64, inclusive), ``account`` (str), ``state`` (:class:`~xietong.trading.enums.BlockState` value).
Quantities are in units (1 unit = 1 t CO2e for allowances and offsets, 1 t of the pollutant for emission
rights).
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.errors import InputError, Location, Problem
from xietong.trading.enums import BlockState

BLOCK_COLUMNS: tuple[str, ...] = ("unit_type", "first_serial", "last_serial", "account", "state")
MOVE_COLUMNS: tuple[str, ...] = (
    "unit_type",
    "first_serial",
    "last_serial",
    "from_account",
    "account",
    "state",
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MoveResult:
    """The block table after an operation, and the blocks it moved (with ``from_account``)."""

    blocks: pd.DataFrame
    moved: pd.DataFrame

    @property
    def quantity(self) -> int:
        """Units moved."""
        return int(block_sizes(self.moved).sum())


def empty_blocks() -> pd.DataFrame:
    """A block table with no rows and the right dtypes."""
    return _frame([], np.empty(0, np.int64), np.empty(0, np.int64), [], [])


def _frame(
    unit_type: Sequence[str] | npt.NDArray[np.object_],
    first: IntArray,
    last: IntArray,
    account: Sequence[str] | npt.NDArray[np.object_],
    state: Sequence[str] | npt.NDArray[np.object_],
) -> pd.DataFrame:
    # text columns stay object dtype (pandas 3 would otherwise convert them to Arrow strings on every move)
    return pd.DataFrame(
        {
            "unit_type": pd.Series(np.asarray(unit_type, dtype=object), dtype=object),
            "first_serial": np.asarray(first, dtype=np.int64),
            "last_serial": np.asarray(last, dtype=np.int64),
            "account": pd.Series(np.asarray(account, dtype=object), dtype=object),
            "state": pd.Series(np.asarray(state, dtype=object), dtype=object),
        }
    )


def blocks_frame(
    unit_type: Sequence[str],
    first: Sequence[int],
    last: Sequence[int],
    account: Sequence[str],
    state: Sequence[str],
) -> pd.DataFrame:
    """A block table (:data:`BLOCK_COLUMNS`) from its columns."""
    return _frame(unit_type, np.asarray(first, np.int64), np.asarray(last, np.int64), account, state)


def block_sizes(blocks: pd.DataFrame) -> IntArray:
    """Units in each block: ``last_serial - first_serial + 1``."""
    first = blocks["first_serial"].to_numpy(np.int64)
    last = blocks["last_serial"].to_numpy(np.int64)
    return np.asarray(last - first + 1, dtype=np.int64)


def check_quantity(quantity: object, *, field: str = "quantity", source: str | None = None) -> int:
    """A quantity of units must be a positive whole number; returns it as ``int``.

    Refused: booleans, non-integers (``2.5``), zero and negative numbers, text.
    """
    where = Location(source=source, field=field)
    hint = "quantities are whole units (1 unit = 1 t); give a positive integer"
    if isinstance(quantity, bool) or not isinstance(quantity, numbers.Real):
        raise InputError(
            "quantity is not a number",
            expected="a positive whole number of units",
            given=repr(quantity),
            where=where,
            hint=hint,
        )
    if not float(quantity).is_integer():
        raise InputError(
            "quantity is not a whole number of units",
            expected="a positive whole number",
            given=repr(quantity),
            where=where,
            hint=hint,
        )
    if quantity <= 0:
        raise InputError(
            "quantity must be positive",
            expected="a positive whole number of units",
            given=repr(quantity),
            where=where,
            hint=hint,
        )
    return int(float(quantity))


def issue(
    blocks: pd.DataFrame,
    *,
    unit_type: str,
    quantity: int,
    account: str,
    first_serial: int | None = None,
) -> MoveResult:
    """Create ``quantity`` new units of ``unit_type`` in one block held by ``account``.

    Serials continue after the highest serial ever issued for the unit type unless ``first_serial`` is
    given; a range that overlaps existing serials of the unit type is refused.
    """
    q = check_quantity(quantity)
    same = blocks["unit_type"].to_numpy(object) == unit_type
    top = int(blocks["last_serial"].to_numpy(np.int64)[same].max()) if same.any() else 0
    start = top + 1 if first_serial is None else int(first_serial)
    if start < 1:
        raise InputError(
            "serials start at 1", expected="first_serial >= 1", given=str(start), where=Location(field="first_serial")
        )
    end = start + q - 1
    if same.any():
        firsts = blocks["first_serial"].to_numpy(np.int64)[same]
        lasts = blocks["last_serial"].to_numpy(np.int64)[same]
        if bool(np.any((firsts <= end) & (lasts >= start))):
            raise InputError(
                f"serials {start}-{end} of {unit_type} were already issued",
                expected=f"a range after {top}",
                given=f"{start}-{end}",
                where=Location(field="first_serial"),
                hint="leave first_serial out to continue after the last issued serial",
            )
    new = _Cols.uniform(
        unit_type, np.array([start], np.int64), np.array([end], np.int64), account, BlockState.HELD.value
    )
    return MoveResult(_land(_Cols.of(blocks), new, account, unit_type, BlockState.HELD.value).frame(), new.moves(None))


@dataclass(frozen=True, slots=True)
class _Cols:
    """A block table as five NumPy arrays (the core works on these; frames only at the boundary)."""

    ut: npt.NDArray[np.object_]
    first: IntArray
    last: IntArray
    acc: npt.NDArray[np.object_]
    st: npt.NDArray[np.object_]

    @classmethod
    def of(cls, blocks: pd.DataFrame) -> _Cols:
        return cls(
            blocks["unit_type"].to_numpy(object),
            blocks["first_serial"].to_numpy(np.int64),
            blocks["last_serial"].to_numpy(np.int64),
            blocks["account"].to_numpy(object),
            blocks["state"].to_numpy(object),
        )

    @classmethod
    def uniform(cls, unit_type: str, first: IntArray, last: IntArray, account: str, state: str) -> _Cols:
        n = len(first)
        return cls(np.full(n, unit_type, object), first, last, np.full(n, account, object), np.full(n, state, object))

    def __len__(self) -> int:
        return len(self.first)

    def pick(self, mask: npt.NDArray[np.bool_] | npt.NDArray[np.intp]) -> _Cols:
        return _Cols(self.ut[mask], self.first[mask], self.last[mask], self.acc[mask], self.st[mask])

    def relabel(self, *, account: str | None = None, state: str | None = None) -> _Cols:
        n = len(self)
        acc = self.acc if account is None else np.full(n, account, object)
        st = self.st if state is None else np.full(n, state, object)
        return _Cols(self.ut, self.first, self.last, acc, st)

    @staticmethod
    def concat(*parts: _Cols) -> _Cols:
        return _Cols(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("ut", "first", "last", "acc", "st")))

    def frame(self) -> pd.DataFrame:
        return _frame(self.ut, self.first, self.last, self.acc, self.st)

    def moves(self, from_account: str | None) -> pd.DataFrame:
        out = self.frame()
        out.insert(3, "from_account", pd.Series(np.full(len(self), from_account, object), dtype=object))
        return out

    def where(self, account: str, unit_type: str, state: str) -> npt.NDArray[np.bool_]:
        return np.asarray((self.acc == account) & (self.ut == unit_type) & (self.st == state), dtype=bool)


def not_enough_units(account: str, unit_type: str, held: int, asked: int) -> InputError:
    """The refusal of a move of more units than the sender holds."""
    return InputError(
        f"account {account} holds {held} units of {unit_type}, fewer than the {asked} asked for",
        expected=f"at most {held}",
        given=str(asked),
        where=Location(field="quantity"),
        hint="rule: a move cannot take more units than the sender holds; lower the quantity",
    )


def _take_fifo(own: _Cols, quantity: int, account: str, unit_type: str) -> tuple[_Cols, _Cols]:
    """Split the account's held blocks (one unit type) into (taken, kept), lowest serials first."""
    own = own.pick(np.argsort(own.first, kind="stable"))
    cum = np.cumsum(own.last - own.first + 1)
    held = int(cum[-1]) if len(cum) else 0
    if held < quantity:
        raise not_enough_units(account, unit_type, held, quantity)
    k = int(np.searchsorted(cum, quantity, side="left"))  # block k completes the quantity
    part = quantity - (int(cum[k - 1]) if k > 0 else 0)
    t_last = own.last[: k + 1].copy()
    t_last[k] = own.first[k] + part - 1
    taken = _Cols.uniform(unit_type, own.first[: k + 1].copy(), t_last, account, BlockState.HELD.value)
    keep_first = own.first[k:].copy()
    keep_first[0] = own.first[k] + part
    keep_last = own.last[k:]
    ok = keep_last >= keep_first
    kept = _Cols.uniform(unit_type, keep_first[ok], keep_last[ok], account, BlockState.HELD.value)
    return taken, kept


def _ranges(serials: Iterable[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    pairs = list(serials)
    if not pairs:
        raise InputError(
            "no serial ranges given",
            expected="one or more (first, last) ranges",
            given="[]",
            where=Location(field="serials"),
        )
    arr = np.asarray(pairs, dtype=object)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(
            "serial ranges must be (first, last) pairs",
            expected="[(first, last), …]",
            given=repr(pairs)[:80],
            where=Location(field="serials"),
        )
    for value in arr.ravel():
        check_quantity(value, field="serials")
    r_first = arr[:, 0].astype(np.int64)
    r_last = arr[:, 1].astype(np.int64)
    if bool(np.any(r_last < r_first)):
        raise InputError(
            "a serial range ends before it starts",
            expected="first <= last",
            given=repr(pairs)[:80],
            where=Location(field="serials"),
        )
    order = np.argsort(r_first, kind="stable")
    r_first, r_last = r_first[order], r_last[order]
    if bool(np.any(r_first[1:] <= r_last[:-1])):
        raise InputError(
            "serial ranges overlap", expected="disjoint ranges", given=repr(pairs)[:80], where=Location(field="serials")
        )
    return r_first, r_last


def _take_serials(own: _Cols, serials: Iterable[tuple[int, int]], account: str, unit_type: str) -> tuple[_Cols, _Cols]:
    """Split the account's held blocks into (the given serial ranges, the rest)."""
    r_first, r_last = _ranges(serials)
    own = _merge(own)
    idx = np.searchsorted(own.first, r_first, side="right") - 1
    inside = (idx >= 0) & (own.last[np.clip(idx, 0, None)] >= r_last) if len(own) else np.zeros(len(r_first), bool)
    if not bool(np.all(inside)):
        bad = int(np.flatnonzero(~inside)[0])
        raise InputError(
            f"serials {r_first[bad]}-{r_last[bad]} of {unit_type} are not all held by account {account}",
            expected="serial ranges inside the sender's held blocks",
            given=f"{r_first[bad]}-{r_last[bad]}",
            where=Location(field="serials"),
            hint="rule: only units in the sender's account can move; list its blocks and choose ranges from them",
        )
    taken = _Cols.uniform(unit_type, r_first, r_last, account, BlockState.HELD.value)
    # the rest: gaps between the taken ranges inside each block (all boundaries sort into matching pairs)
    starts = np.sort(np.concatenate([own.first, r_last + 1]))
    ends = np.sort(np.concatenate([r_first - 1, own.last]))
    keep = ends >= starts
    return taken, _Cols.uniform(unit_type, starts[keep], ends[keep], account, BlockState.HELD.value)


def _take(
    cols: _Cols, account: str, unit_type: str, quantity: int | None, serials: Iterable[tuple[int, int]] | None
) -> tuple[_Cols, _Cols]:
    if (quantity is None) == (serials is None):
        raise InputError(
            "give either a quantity or serial ranges",
            expected="quantity=… or serials=[(first, last)]",
            given="both" if quantity is not None else "neither",
            where=Location(field="quantity"),
        )
    mask = cols.where(account, unit_type, BlockState.HELD.value)
    own = cols.pick(mask)
    if serials is not None:
        taken, kept = _take_serials(own, serials, account, unit_type)
    else:
        taken, kept = _take_fifo(own, check_quantity(quantity), account, unit_type)
    return taken, _Cols.concat(cols.pick(~mask), kept)


def take(
    blocks: pd.DataFrame,
    *,
    account: str,
    unit_type: str,
    quantity: int | None = None,
    serials: Iterable[tuple[int, int]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choose units of ``unit_type`` held by ``account``: ``(taken, rest_of_table)``.

    Give ``quantity`` (lowest serials first, the last block split if needed) or ``serials`` (explicit
    inclusive ranges that must lie in the account's held blocks), not both.
    """
    taken, rest = _take(_Cols.of(blocks), account, unit_type, quantity, serials)
    return taken.frame(), rest.frame()


def move(
    blocks: pd.DataFrame,
    *,
    from_account: str,
    to_account: str,
    unit_type: str,
    quantity: int | None = None,
    serials: Iterable[tuple[int, int]] | None = None,
    accepted: Collection[str] | None = None,
    market: str | None = None,
) -> MoveResult:
    """Transfer units from one account to another (also allocation and auction deliveries).

    ``accepted`` is the set of unit types the receiving market accepts (see
    :func:`xietong.trading.rules.MarketRules.accepts`); a unit type outside it is refused before anything
    moves. ``market`` names the receiving market in that message.
    """
    if from_account == to_account:
        raise InputError(
            "sender and receiver are the same account",
            expected="two different accounts",
            given=from_account,
            where=Location(field="to_account"),
        )
    if accepted is not None and unit_type not in accepted:
        raise InputError(
            f"unit type {unit_type} is not accepted by the receiving market{f' {market}' if market else ''}",
            expected="one of " + ", ".join(sorted(accepted)) if accepted else "no unit types are accepted",
            given=unit_type,
            where=Location(field="unit_type"),
            hint="rule: a market only takes the unit types its rules list (rules file, [[units]] rows)",
        )
    taken, rest = _take(_Cols.of(blocks), from_account, unit_type, quantity, serials)
    arrived = taken.relabel(account=to_account)
    return MoveResult(
        _land(rest, arrived, to_account, unit_type, BlockState.HELD.value).frame(), arrived.moves(from_account)
    )


def end_life(
    blocks: pd.DataFrame,
    *,
    account: str,
    unit_type: str,
    state: BlockState,
    quantity: int | None = None,
    serials: Iterable[tuple[int, int]] | None = None,
) -> MoveResult:
    """Surrender, retire or cancel units held by ``account``: the blocks stay where they are (so a
    statement shows who surrendered them) and change state; they never move again."""
    state = BlockState(state)
    if state is BlockState.HELD:
        raise InputError(
            "end_life needs a terminal state",
            expected="surrendered, retired or cancelled",
            given=state.value,
            where=Location(field="state"),
        )
    taken, rest = _take(_Cols.of(blocks), account, unit_type, quantity, serials)
    done = taken.relabel(state=state.value)
    return MoveResult(_land(rest, done, account, unit_type, state.value).frame(), done.moves(account))


def _land(rest: _Cols, arrived: _Cols, account: str, unit_type: str, state: str) -> _Cols:
    """Put ``arrived`` blocks into the table, merged with the blocks of the same account, unit type and
    state (only those rows are re-sorted, so a move costs little more than the rows it touches)."""
    same = rest.where(account, unit_type, state)
    return _Cols.concat(rest.pick(~same), _merge(_Cols.concat(rest.pick(same), arrived)))


def _merge(c: _Cols) -> _Cols:
    if len(c) <= 1:
        return c
    order = np.lexsort((c.first, c.ut.astype(str)))
    c = c.pick(order)
    joins = (
        (c.ut[1:] == c.ut[:-1]) & (c.acc[1:] == c.acc[:-1]) & (c.st[1:] == c.st[:-1]) & (c.first[1:] == c.last[:-1] + 1)
    )
    head = np.flatnonzero(np.concatenate([[True], ~joins]))
    tail = np.concatenate([head[1:] - 1, [len(c) - 1]])
    return _Cols(c.ut[head], c.first[head], c.last[tail], c.acc[head], c.st[head])


def merge_adjacent(blocks: pd.DataFrame) -> pd.DataFrame:
    """Join blocks of one unit type, account and state whose serials follow on (``last + 1 == first``).

    Sorted by unit type and first serial; the units are unchanged.
    """
    return _merge(_Cols.of(blocks)).frame()


def holdings(blocks: pd.DataFrame, *, state: BlockState | None = BlockState.HELD) -> pd.DataFrame:
    """Units per account and unit type (``quantity``), of one state (default: held) or of all states."""
    b = blocks if state is None else blocks.loc[blocks["state"] == BlockState(state).value]
    sums = b.assign(quantity=block_sizes(b)).groupby(["account", "unit_type"])["quantity"].sum()
    return pd.DataFrame(
        {
            "account": sums.index.get_level_values("account").to_numpy(object),
            "unit_type": sums.index.get_level_values("unit_type").to_numpy(object),
            "quantity": sums.to_numpy(np.int64),
        }
    )


def totals(blocks: pd.DataFrame) -> dict[str, int]:
    """Units per unit type over every account and state (what conservation compares with issuance)."""
    s = pd.Series(block_sizes(blocks), index=blocks["unit_type"].to_numpy(object))
    return {str(k): int(v) for k, v in s.groupby(level=0).sum().items()}


def check_invariants(blocks: pd.DataFrame, issued: Mapping[str, int] | None = None) -> list[Problem]:
    """Problems with a block table (an empty list when it is sound).

    Rules: every block has ``1 <= first_serial <= last_serial``; a known state; blocks of one unit type
    are disjoint (no serial in two blocks, hence in two accounts); and, with ``issued`` (unit type →
    units issued), every unit type adds up to what was issued (conservation).
    """
    problems: list[Problem] = []
    first = blocks["first_serial"].to_numpy(np.int64)
    last = blocks["last_serial"].to_numpy(np.int64)
    for i in np.flatnonzero((first < 1) | (last < first))[:10]:
        problems.append(
            Problem(
                "block with an empty or negative serial range",
                Location(row=int(i) + 1),
                "1 <= first <= last",
                f"{first[i]}-{last[i]}",
            )
        )
    states = {s.value for s in BlockState}
    for i in np.flatnonzero(~blocks["state"].isin(states).to_numpy())[:10]:
        problems.append(
            Problem(
                "unknown block state",
                Location(row=int(i) + 1, field="state"),
                ", ".join(sorted(states)),
                repr(blocks["state"].iloc[i]),
            )
        )
    b = blocks.sort_values(["unit_type", "first_serial"], kind="stable")
    ut = b["unit_type"].to_numpy(object)
    f = b["first_serial"].to_numpy(np.int64)
    la = b["last_serial"].to_numpy(np.int64)
    overlap = (ut[1:] == ut[:-1]) & (f[1:] <= la[:-1])
    for i in np.flatnonzero(overlap)[:10]:
        problems.append(
            Problem(
                f"serials of {ut[i + 1]} are in two blocks",
                Location(field="first_serial"),
                "disjoint blocks per unit type",
                f"{f[i]}-{la[i]} ({b['account'].iloc[i]}) and {f[i + 1]}-{la[i + 1]} ({b['account'].iloc[i + 1]})",
            )
        )
    if issued is not None:
        have = totals(blocks)
        for unit_type in sorted(set(issued) | set(have)):
            if have.get(unit_type, 0) != issued.get(unit_type, 0):
                problems.append(
                    Problem(
                        f"units of {unit_type} do not add up to what was issued",
                        Location(field="unit_type"),
                        str(issued.get(unit_type, 0)),
                        str(have.get(unit_type, 0)),
                    )
                )
    return problems


def assert_invariants(blocks: pd.DataFrame, issued: Mapping[str, int] | None = None) -> None:
    """Raise :class:`InputError` listing every problem :func:`check_invariants` finds."""
    problems = check_invariants(blocks, issued)
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problems in the block table")


def trace(moves: pd.DataFrame, unit_type: str, serial: int) -> pd.DataFrame:
    """The history of one serial: the rows of a move log (columns :data:`MOVE_COLUMNS`, in the order they
    happened) whose range contains it."""
    hit = (
        (moves["unit_type"].to_numpy(object) == unit_type)
        & (moves["first_serial"].to_numpy(np.int64) <= serial)
        & (moves["last_serial"].to_numpy(np.int64) >= serial)
    )
    out: pd.DataFrame = moves.loc[hit]
    return out


__all__ = [
    "BLOCK_COLUMNS",
    "MOVE_COLUMNS",
    "MoveResult",
    "assert_invariants",
    "block_sizes",
    "blocks_frame",
    "check_invariants",
    "check_quantity",
    "empty_blocks",
    "end_life",
    "holdings",
    "issue",
    "merge_adjacent",
    "move",
    "take",
    "totals",
    "trace",
]
