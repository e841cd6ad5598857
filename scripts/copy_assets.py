#!/usr/bin/env python3
"""Copy the browser assets that the web pages use from node_modules/ into the static folder.

No bundler and no CDN: `npm ci` installs the pinned packages (package.json / package-lock.json),
then this script copies the ready-made dist files into ``service/web/static/vendor/<pkg>/``.
Templates reference them as ``url_for('static', filename='vendor/<pkg>/...')``.

The vendor folder is generated (git-ignored) and rebuilt from scratch on every run, so a file
dropped from the list below disappears. Each copied package must be installed at exactly the
version package.json pins; otherwise the script stops and asks for ``npm ci``.

Standard library only. Run from anywhere: paths are relative to the repository root.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "service" / "web" / "static" / "vendor"

# package -> list of (source inside node_modules/<package>, destination inside vendor/<package>).
# A source ending in "/" is a directory copied recursively.
ASSETS: dict[str, list[tuple[str, str]]] = {
    "bpmn-js": [
        ("dist/bpmn-modeler.production.min.js", "bpmn-modeler.production.min.js"),
        (
            "dist/bpmn-navigated-viewer.production.min.js",
            "bpmn-navigated-viewer.production.min.js",
        ),
        # diagram-js.css, bpmn-js.css, bpmn-font/css/*.css and bpmn-font/font/* (relative urls kept)
        ("dist/assets/", "assets/"),
        ("LICENSE", "LICENSE"),
    ],
    "bootstrap": [
        ("dist/css/bootstrap.min.css", "css/bootstrap.min.css"),
        ("dist/css/bootstrap.min.css.map", "css/bootstrap.min.css.map"),
        ("dist/js/bootstrap.bundle.min.js", "js/bootstrap.bundle.min.js"),
        ("dist/js/bootstrap.bundle.min.js.map", "js/bootstrap.bundle.min.js.map"),
        ("LICENSE", "LICENSE"),
    ],
    "bootstrap-icons": [
        ("font/bootstrap-icons.min.css", "bootstrap-icons.min.css"),
        ("font/bootstrap-icons.css", "bootstrap-icons.css"),
        ("font/fonts/", "fonts/"),  # the css references fonts/bootstrap-icons.woff2
        ("LICENSE", "LICENSE"),
    ],
    "htmx.org": [
        ("dist/htmx.min.js", "htmx.min.js"),
        ("LICENSE", "LICENSE"),
    ],
    "chart.js": [
        ("dist/chart.umd.min.js", "chart.umd.min.js"),
        ("dist/chart.umd.min.js.map", "chart.umd.min.js.map"),
        ("LICENSE.md", "LICENSE.md"),
    ],
}


def fail(message: str) -> None:
    print(f"copy_assets: error: {message}", file=sys.stderr)
    sys.exit(1)


def pinned_versions() -> dict[str, str]:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return manifest.get("dependencies", {})


def installed_version(package: str) -> str:
    package_json = NODE_MODULES / package / "package.json"
    if not package_json.is_file():
        fail(
            f"{package} is not installed in node_modules/ (run `make assets` or `npm ci`)"
        )
    return json.loads(package_json.read_text(encoding="utf-8"))["version"]


def copy_one(src: Path, dest: Path) -> int:
    """Copy a file or a directory tree; return the number of files copied."""
    if src.is_dir():
        shutil.copytree(src, dest)
        return sum(1 for p in dest.rglob("*") if p.is_file())
    if not src.is_file():
        fail(f"missing {src.relative_to(ROOT)} (package layout changed?)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dest)
    return 1


def main() -> int:
    pins = pinned_versions()
    versions: dict[str, str] = {}
    for package in ASSETS:
        version = installed_version(package)
        pinned = pins.get(package)
        if pinned is None:
            fail(f"{package} is copied but not listed in package.json dependencies")
        if version != pinned:
            fail(
                f"{package} {version} is installed but package.json pins {pinned} "
                "(run `npm ci`)"
            )
        versions[package] = version

    # Build into a sibling folder, then swap it in: a failed run never leaves half a vendor/.
    staging = VENDOR.with_name(VENDOR.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    total = 0
    for package, entries in ASSETS.items():
        for src_rel, dest_rel in entries:
            src = NODE_MODULES / package / src_rel.rstrip("/")
            dest = staging / package / dest_rel.rstrip("/")
            if src_rel.endswith("/") and not src.is_dir():
                fail(f"missing directory {src.relative_to(ROOT)}")
            total += copy_one(src, dest)

    # For cache busting in templates and for a quick look at what is served.
    (staging / "versions.json").write_text(
        json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )

    shutil.rmtree(VENDOR, ignore_errors=True)
    staging.rename(VENDOR)

    summary = ", ".join(f"{name} {version}" for name, version in versions.items())
    print(f"copy_assets: {total} files -> {VENDOR.relative_to(ROOT)}/ ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
