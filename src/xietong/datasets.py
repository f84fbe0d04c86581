"""Published datasets: tables a domain lets the other domains read, without their importing it.

Indicators carry *numbers* from one domain to another; some links need *records*: the industry domain
links agreement tasks to the parks their text names, so it must read the tasks, and it may not import
the agreements domain. A domain that owns such records publishes a :class:`Dataset` through the domain
contract (``datasets = "package.module:function"`` in its :class:`xietong.domains.Domain`), and any domain
reads it through :func:`default_catalogue`::

    # src/xietong/agreements/published.py (the owner)
    def datasets() -> list[Dataset]:
        return [Dataset(key="agreements.tasks", name="Agreement tasks", columns=(...), read=_tasks, …)]

    # src/xietong/industry/links.py (a reader)
    tasks = default_catalogue().read("agreements.tasks", store, principal)

A dataset is read-only, read in the reader's own transaction, and returns a frame with at least the
declared ``columns`` (the owner's promise: readers rely on those names and nothing else). The owner checks
the principal's right to read, as its own routes do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from xietong import domains
from xietong.errors import InputError, NotFoundError
from xietong.exchange.principals import Principal
from xietong.store.session import Store

Read = Callable[[Store, Principal], pd.DataFrame]


@dataclass(frozen=True, slots=True)
class Dataset:
    """A table one domain publishes for the others: key (``<domain>.<name>``), what it holds, the columns
    it promises, and ``read(store, principal) -> DataFrame``."""

    key: str
    name: str
    description: str
    columns: tuple[str, ...]
    read: Read
    module: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "columns": list(self.columns),
            "module": self.module,
        }


class Catalogue:
    """The published datasets, by key."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self._by_key: dict[str, Dataset] = {}
        for d in datasets:
            if d.key in self._by_key:
                raise InputError(
                    f"two datasets share the key {d.key!r}",
                    expected="one dataset per key, prefixed by the domain name",
                    given=f"{self._by_key[d.key].module or '?'} and {d.module or '?'}",
                )
            self._by_key[d.key] = d

    def get(self, key: str) -> Dataset:
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(
                f"no published dataset {key!r}",
                expected="one of " + (", ".join(sorted(self._by_key)) or "none (no installed domain publishes one)"),
                given=repr(key),
                hint="the domain that owns it may not be installed",
            ) from None

    def read(self, key: str, store: Store, principal: Principal) -> pd.DataFrame:
        """The dataset's current content; :class:`InputError` when the owner broke its column promise."""
        dataset = self.get(key)
        frame = dataset.read(store, principal)
        missing = [c for c in dataset.columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"dataset {key} lacks promised columns",
                expected=", ".join(dataset.columns),
                given=", ".join(map(str, frame.columns)),
                hint=f"a bug in the domain {dataset.module or '?'}",
            )
        return frame

    def __iter__(self) -> Iterator[Dataset]:
        return iter(sorted(self._by_key.values(), key=lambda d: d.key))

    def __contains__(self, key: object) -> bool:
        return key in self._by_key


def load_providers(providers: Iterable[tuple[str, Callable[[], Sequence[Dataset]]]]) -> Catalogue:
    """A catalogue of the datasets of ``providers`` (``(domain name, provider function)`` each)."""
    found: list[Dataset] = []
    for _name, provider in providers:
        found.extend(provider())
    return Catalogue(found)


@cache
def default_catalogue() -> Catalogue:
    """The datasets of every installed domain (built once per process)."""
    return load_providers(domains.dataset_providers())


__all__ = ["Catalogue", "Dataset", "Read", "default_catalogue", "load_providers"]
