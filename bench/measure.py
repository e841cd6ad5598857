"""Timing helpers: wall time (perf_counter) and this process's CPU time, medians in ms."""

from statistics import median
from time import perf_counter, process_time


class Samples:
    """Durations of repeated calls: wall seconds and CPU seconds of this process."""

    def __init__(self):
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def time(self, fn, *args, keep: bool = True, **kwargs):
        """Call fn, record its durations when keep is true, and return its result."""
        wall, cpu = perf_counter(), process_time()
        result = fn(*args, **kwargs)
        cpu, wall = process_time() - cpu, perf_counter() - wall
        if keep:
            self.wall.append(wall)
            self.cpu.append(cpu)
        return result

    def summary(self) -> dict:
        """Return n, rate (1 / mean wall), median and p90 wall ms, median CPU ms."""
        return {**summary(self.wall), "cpu_median_ms": _median_ms(self.cpu),
                "cpu_per_s": len(self.cpu) / sum(self.cpu) if sum(self.cpu) else None}


def _median_ms(times: list[float]) -> float | None:
    return median(times) * 1000 if times else None


def summary(times: list[float]) -> dict:
    """Return count, rate (1 / mean), median and p90 in ms of a list of durations."""
    if not times:
        return {"n": 0, "per_s": None, "median_ms": None, "p90_ms": None}
    ordered = sorted(times)
    return {
        "n": len(times),
        "per_s": len(times) / sum(times),
        "median_ms": median(ordered) * 1000,
        "p90_ms": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
    }
