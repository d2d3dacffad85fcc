"""Spread work over forked worker processes, one per CPU this process may use, results in order.

MkDocs builds on one core; the stages before it, and the search copies after it, can use the
others. Workers are forked, so they start with everything the parent has loaded (the catalogue,
the templates) and only the work items and results cross between processes.

The job is usually a closure over those big objects, which cannot be pickled. It reaches the
workers as the executor's ``initargs``: with the fork start method a worker's arguments are
inherited by the child, never pickled (the work items sent later through the call queue are).
What is submitted must be a module-level function, so each worker keeps its job in
``_worker_job``; only ``_start_worker`` sets it, inside the worker, and the parent never does,
so nothing is shared between calls and calls may nest or overlap.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_job: Callable | None = None  # set in a forked worker only, by _start_worker


def usable_cpus() -> int:
    """How many CPUs this process may run on: its affinity mask (container and ``taskset`` limits) where
    the system has one, else all of them."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return os.cpu_count() or 1


def ordered_map(job: Callable[[Item], Result], items: Sequence[Item], *, batch: int = 250,
                parallel: bool = True) -> Iterator[Result]:
    """``map(job, items)``, in forked workers when ``parallel`` and there is more than one batch and CPU.

    Items go to the workers ``batch`` at a time; an exception raised by ``job`` reaches the caller.
    """
    batches = [items[i:i + batch] for i in range(0, len(items), batch)]
    workers = min(usable_cpus(), len(batches))
    if not parallel or workers < 2:
        yield from map(job, items)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker, initargs=(job,)) as pool:
        for results in pool.map(_run_batch, batches):
            yield from results


def _start_worker(job: Callable) -> None:
    global _worker_job
    _worker_job = job


def _run_batch(batch: Sequence) -> list:
    assert _worker_job is not None, "only called in a worker started by ordered_map"
    return [_worker_job(item) for item in batch]
