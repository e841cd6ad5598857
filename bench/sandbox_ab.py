"""What the script budget costs: the same flows before and after, interleaved A B A B.

`python -m bench.sandbox_ab [rounds]`. "Before" is the service at BENCH_BEFORE (a git ref,
default the last commit before sandbox processes), exported to a temporary folder; "after" is
this tree. Each round runs in a fresh interpreter (the bench package from this tree, the
service from the side under test) on its own SQLite file, completes COMPLETIONS tasks through
the Flask test client and reports per-completion medians: wall time and CPU time of the
process, plus the CPU of its sandbox processes. Flows: the nine-task line (no expression), and
nine tasks each followed by a gateway of four conditions, written plain (comparisons: they run
in the server) or computed (calls and arithmetic: they run in a sandbox process).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

from .flows import LINEAR9, ROOT, Flow

BEFORE = os.environ.get("BENCH_BEFORE", "d3ad8a9")
COMPLETIONS, WARMUP, IN_FLIGHT = 270, 45, 15
START_DATA = {"amount": 150, "tier": "silver", "region": "east", "score": 7}
CONDITIONS = {
    "plain": ["amount > 1000 and tier == 'gold'", "region == 'north' or score > 9",
              "tier in ('platinum', 'diamond')", "not (amount < 1000000000) and score == 7"],
    "computed": ["amount * 2 > 2000 and tier.startswith('g')", "len(region.upper()) > 9",
                 "sum([score, 1]) > 99", "round(amount / 7, 2) < 0"],
}


def condition_flow(kind: str) -> str:
    """Nine user tasks, each followed by a gateway whose four conditions are all false."""
    key = f"bench_conditions_{kind}"
    nodes, flows = [], []
    for step in range(1, 10):
        target = f"task_{step + 1}" if step < 9 else "end"
        nodes += [f'<bpmn:userTask id="task_{step}" name="Step {step}"/>',
                  f'<bpmn:exclusiveGateway id="gate_{step}" default="next_{step}"/>']
        flows.append(f'<bpmn:sequenceFlow id="in_{step}" sourceRef="task_{step}" '
                     f'targetRef="gate_{step}"/>')
        flows.append(f'<bpmn:sequenceFlow id="next_{step}" sourceRef="gate_{step}" '
                     f'targetRef="{target}"/>')
        for number, condition in enumerate(CONDITIONS[kind]):
            flows.append(
                f'<bpmn:sequenceFlow id="c_{step}_{number}" sourceRef="gate_{step}" '
                f'targetRef="{target}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{condition.replace('<', '&lt;')}</bpmn:conditionExpression></bpmn:sequenceFlow>")
    refs = "".join(f"<bpmn:flowNodeRef>{n.split(chr(34))[1]}</bpmn:flowNodeRef>" for n in nodes)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'id="d_{key}" targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="{key}" isExecutable="true"><bpmn:laneSet id="lanes">'
        f'<bpmn:lane id="lane" name="advisor"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>{refs}'
        '<bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
        '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>' + "".join(nodes)
        + '<bpmn:sequenceFlow id="first" sourceRef="start" targetRef="task_1"/>'
        + "".join(flows) + "</bpmn:process></bpmn:definitions>")


def _sandbox_cpu(pool) -> float:
    """Return the CPU seconds the live sandbox processes used so far (0 without a pool)."""
    total = 0
    for pid in pool.pids() if pool is not None else ():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measure(flow: Flow, data: dict) -> dict:
    """Complete COMPLETIONS tasks of flow (after WARMUP) in this process; return medians."""
    from . import app as apps
    from .app import Client
    from .measure import Samples
    from .throughput import drive

    try:
        from service.engine.sandbox_pool import POOL
    except ImportError:  # the "before" side: no sandbox processes
        POOL = None
    with tempfile.TemporaryDirectory(prefix="linkpass-ab-") as folder:
        app = apps.build(apps.sqlite_url(Path(folder)))
        try:
            Client(app, "owner").deploy(flow)
            advisor = Client(app, "sh.advisor")

            def start() -> str:
                body = advisor.post("/api/v1/instances", json={"process": flow.key,
                                                               "data": data}).get_json()
                return next(t["id"] for t in body["tasks"] if t["status"] == "ready")

            samples, warm = Samples(), {}
            errors, _ = drive(advisor, flow, start, samples, COMPLETIONS, WARMUP, IN_FLIGHT,
                              on_warm=lambda: warm.setdefault("cpu", _sandbox_cpu(POOL)))
            sandbox_cpu = _sandbox_cpu(POOL) - warm["cpu"]
        finally:
            apps.dispose(app)
    summary = samples.summary()
    return {"wall_ms": summary["median_ms"], "cpu_ms": summary["cpu_median_ms"],
            "sandbox_cpu_ms": sandbox_cpu * 1000 / len(samples.cpu), "errors": errors,
            "n": summary["n"]}


def _export_before(folder: Path) -> bool:
    """Write the service at BEFORE into folder; False if git or the ref is not available."""
    try:
        archive = subprocess.run(["git", "archive", BEFORE, "service", "migrations"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def _round(side_path: str, flow_name: str) -> dict:
    env = {**os.environ, "PYTHONPATH": side_path}
    out = subprocess.run([sys.executable, "-m", "bench.sandbox_ab", "--measure", flow_name],
                         cwd=tempfile.gettempdir(), env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _flows(folder: Path) -> dict[str, tuple[Flow, dict]]:
    flows = {"linear9": (LINEAR9, {})}
    for kind in CONDITIONS:
        path = folder / f"bench_conditions_{kind}.bpmn"
        path.write_text(condition_flow(kind))
        flows[f"conditions_{kind}"] = (Flow(path, path.stem, {"done": True}), START_DATA)
    return flows


def run(rounds: int = 3) -> dict | None:
    """Run A (before) and B (after) alternately, `rounds` times per flow; None without git."""
    with tempfile.TemporaryDirectory(prefix="linkpass-before-") as before:
        if not _export_before(Path(before)):
            return None
        sides = {"before": f"{before}{os.pathsep}{ROOT}", "after": str(ROOT)}
        results = {}
        for name in ("linear9", "conditions_plain", "conditions_computed"):
            runs = {side: [] for side in sides}
            for _ in range(rounds):
                for side, path in sides.items():  # A B A B ...
                    runs[side].append(_round(path, name))
            results[name] = {side: _medians(found) for side, found in runs.items()}
    return {"before_ref": BEFORE, "rounds": rounds, "completions": COMPLETIONS,
            "flows": results}


def _medians(rounds: list[dict]) -> dict:
    keys = ("wall_ms", "cpu_ms", "sandbox_cpu_ms")
    found = {key: median(r[key] for r in rounds) for key in keys}
    found["cost_ms"] = found["cpu_ms"] + found["sandbox_cpu_ms"]
    found["errors"] = sum(r["errors"] for r in rounds)
    return found


TARGET_RATIO = 1.15  # the nine-task flow's completion cost after / before (issue 15)
LABELS = {"linear9": "nine-task flow (no expression)",
          "conditions_plain": "nine tasks x 4 plain conditions",
          "conditions_computed": "nine tasks x 4 computed conditions"}


def rows(raw: dict, rounds: int = 3) -> list[dict]:
    """Return the section's rows for `make bench`."""
    result = run(rounds)
    rows_ = [{"section": f"issue 15: script budget, before ({BEFORE}) / after, interleaved "
                         "A B A B: CPU per completion, this process + its sandbox processes, "
                         "SQLite"}]
    if result is None:
        return rows_ + [{"figure": "A/B", "value": "skipped", "unit": "",
                         "note": f"git ref {BEFORE} not available (BENCH_BEFORE)"}]
    raw["sandbox_ab"] = result
    for name, sides in result["flows"].items():
        before, after = sides["before"], sides["after"]
        ratio = after["cost_ms"] / before["cost_ms"] if before["cost_ms"] else None
        note = (f"before {before['cost_ms']:.2f} ms, after {after['cost_ms']:.2f} ms "
                f"({after['sandbox_cpu_ms']:.2f} in sandbox processes); wall medians "
                f"{before['wall_ms']:.2f} -> {after['wall_ms']:.2f} ms; medians of "
                f"{result['rounds']} rounds of {result['completions']} completions each side, "
                f"errors {before['errors'] + after['errors']}")
        if name == "linear9" and ratio is not None:
            note += f"; goal <= {TARGET_RATIO:.2f}x: " + ("met" if ratio <= TARGET_RATIO
                                                         else "NOT met")
        rows_.append({"figure": f"{LABELS[name]}: after / before", "value": ratio, "unit": "x",
                      "note": note})
    return rows_


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        with tempfile.TemporaryDirectory() as scratch:
            flow, data = _flows(Path(scratch))[sys.argv[2]]
            print(json.dumps(measure(flow, data)))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
