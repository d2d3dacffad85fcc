"""The one process pool: results in order, closures over unpicklable state, in-process when it cannot help."""

from __future__ import annotations

import os
import threading

import pytest

from scripts.pipeline import forks


def cpus(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    """Pretend this process may run on ``count`` CPUs (as a container limit or ``taskset`` would)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(count)), raising=False)


def test_results_in_order_from_forked_workers_for_a_closure_over_local_state(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus(monkeypatch, 2)
    squares = {n: n * n for n in range(1000)}
    lock = threading.Lock()  # cannot be pickled: the job reaches the workers by fork, not by pickle

    def job(n: int) -> tuple[int, int]:
        with lock:
            return squares[n], os.getpid()

    results = list(forks.ordered_map(job, list(range(1000)), batch=50))
    assert [square for square, _ in results] == [n * n for n in range(1000)]
    assert os.getpid() not in {pid for _, pid in results}
    assert forks._worker_job is None  # the parent's slot is never set


def test_an_exception_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus(monkeypatch, 2)

    def job(n: int) -> int:
        if n == 7:
            raise ValueError(f"bad item {n}")
        return n

    with pytest.raises(ValueError, match="bad item 7"):
        list(forks.ordered_map(job, list(range(20)), batch=2))


def pids(items: int, batch: int, **options: bool) -> set[int]:
    return set(forks.ordered_map(lambda _: os.getpid(), list(range(items)), batch=batch, **options))


def test_in_process_when_not_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus(monkeypatch, 4)
    assert pids(100, 10, parallel=False) == {os.getpid()}


def test_in_process_for_a_single_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus(monkeypatch, 4)
    assert pids(10, 10) == {os.getpid()}
    assert list(forks.ordered_map(str, [], batch=10)) == []


def test_worker_count_honours_the_cpu_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus(monkeypatch, 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # the machine's CPUs, not this process's
    assert forks.usable_cpus() == 3
    cpus(monkeypatch, 1)
    assert forks.usable_cpus() == 1
    assert pids(100, 10) == {os.getpid()}  # one usable CPU: no pool


def test_without_an_affinity_mask_all_cpus_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert forks.usable_cpus() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert forks.usable_cpus() == 1
    assert pids(100, 10) == {os.getpid()}
