"""Spread work over one forked process per core, results in order.

MkDocs builds on one core; the stages before it can use the others. Workers are
forked, so they start with everything the parent has loaded (the catalogue, the
templates) and only the work items and results cross between processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_JOB: Callable | None = None  # what a forked worker runs; set only while a pool is open


def _run_batch(batch: Sequence) -> list:
    assert _JOB is not None, "only called in a worker forked by ordered_map"
    return [_JOB(item) for item in batch]


def ordered_map(job: Callable[[Item], Result], items: Sequence[Item], *, batch: int = 250,
                parallel: bool = True) -> Iterator[Result]:
    """``map(job, items)``, in forked workers when ``parallel`` and there is more than one batch and core."""
    workers = os.cpu_count() or 1
    if not parallel or workers < 2 or len(items) <= batch:
        yield from map(job, items)
        return
    global _JOB
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for results in pool.imap(_run_batch, [items[i:i + batch] for i in range(0, len(items), batch)]):
                yield from results
    finally:
        _JOB = None
