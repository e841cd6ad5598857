"""Print the figures as one table and write them as JSON to bench/results/latest.json."""

import json
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
WIDTHS = (52, 12, 10)


def _value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(machine: dict, rows: list[dict]) -> str:
    """Return the table: a machine header, then figure, value, unit and a note per row."""
    head = [
        "LinkPass Flow benchmark",
        f"machine: {machine['platform']} | CPU: {machine['cpu']} | cores: {machine['cores']}",
        f"Python {machine['python']} | SpiffWorkflow {machine['spiffworkflow']} | "
        f"{machine['date']}",
        f"load average (1 min) at start {machine['load_start']}, at end "
        f"{machine.get('load_end', '-')}: wall times are only comparable on an idle machine",
    ]
    rule = "-" * (sum(WIDTHS) + 40)
    lines = [*head, rule,
             f"{'figure':<{WIDTHS[0]}} {'value':>{WIDTHS[1]}} {'unit':<{WIDTHS[2]}} note", rule]
    for row in rows:
        if row.get("section"):
            lines.append(f"[{row['section']}]")
            continue
        lines.append(f"{row['figure']:<{WIDTHS[0]}} {_value(row['value']):>{WIDTHS[1]}} "
                     f"{row.get('unit', ''):<{WIDTHS[2]}} {row.get('note', '')}".rstrip())
    lines.append(rule)
    return "\n".join(lines)


def write(machine: dict, rows: list[dict], raw: dict) -> Path:
    """Write machine, rows and the raw measurements to results/latest.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    figures = [r for r in rows if not r.get("section")]
    path.write_text(json.dumps({"machine": machine, "figures": figures, "raw": raw},
                               indent=2, default=str))
    return path
