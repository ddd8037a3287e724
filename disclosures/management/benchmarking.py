"""What the benchmark commands share: timing, memory, and the Linxia disclosure they
measure beside a generated department."""

import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable

from disclosures.models import Disclosure

LINXIA = "临夏市人民代表大会常务委员会办公室"


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(step: Callable[[], object]) -> float:
    """Peak Python memory of one more run (tracemalloc slows it, so it is not timed)."""
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def peak_rss_mib() -> float:
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def published_linxia() -> Disclosure | None:
    """The demo's Linxia 2024 revision, when the demo is loaded."""
    return Disclosure.objects.filter(department__name=LINXIA).published().first()
