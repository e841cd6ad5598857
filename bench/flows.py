"""The diagrams the benchmarks run: a bench-local nine-task line and the tests' review loop."""

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
PROCESSES = ROOT / "tests" / "processes"
FORMS = ROOT / "tests" / "forms"


@dataclass(frozen=True)
class Flow:
    """A diagram file, its process id, and the data each completion submits."""

    path: Path
    key: str
    data: dict
    forms: tuple[str, ...] = ()

    def form_schemas(self) -> dict:
        return {name: json.loads((FORMS / name).read_text()) for name in self.forms}


LINEAR9 = Flow(HERE / "linear9.bpmn", "bench_linear9", {"done": True})
LOOP = Flow(PROCESSES / "loop.bpmn", "loop", {"again": True}, ("again_form.json",))
LOOP_END = {"again": False}
