"""Round trip with git: write the deployed processes and their forms back as files."""

import json
from pathlib import Path

from . import deployments


def export(directory: str) -> list[str]:
    """Write the latest deployed versions as processes/ and forms/ files; return their paths."""
    root = Path(directory)
    (root / "processes").mkdir(parents=True, exist_ok=True)
    (root / "forms").mkdir(parents=True, exist_ok=True)
    written, forms = [], {}
    for version in deployments.list_processes():
        suffix = ".dmn" if version.kind == "decision" else ".bpmn"
        path = root / "processes" / Path(f"{version.key}{suffix}").name
        path.write_text(version.content, "utf-8")
        written.append(str(path))
        # Versions come sorted by key; a form used by several keeps its newest deployment.
        for name, schema in version.forms.items():
            if name not in forms or forms[name][0] < version.deployed_at:
                forms[name] = (version.deployed_at, schema)
    for name, (_at, schema) in sorted(forms.items()):
        path = root / "forms" / Path(name).name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(str(path))
    return written
