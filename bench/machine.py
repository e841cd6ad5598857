"""Describe the machine a run measured on."""

import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict:
    """Return platform, CPU model, cores, Python, SpiffWorkflow version and the date."""
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "spiffworkflow": version("SpiffWorkflow"),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_start": load(),
    }


def load() -> float:
    """Return the one-minute load average (other work on the machine skews wall times)."""
    return round(os.getloadavg()[0], 2)
