"""Issue 4: the inbox page time, signed in, with 10,000 open tasks in the user's center.

`python -m bench.inbox_page [--quick]` runs it alone; `python -m bench` adds its rows. It runs on
a SQLite file and on PostgreSQL (BENCH_PAGE_DATABASE_URL, default our own `scale_page`).
"""

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from . import machine, scale
from .app import reset_postgres
from .seed import Shape

PAGE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/scale_page"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
PAGES = (
    ("GET /inbox (my tasks)", "/inbox"),
    ("GET /inbox?tab=group (my group)", "/inbox?tab=group"),
    ("GET /inbox?tab=group, by client, page 20", "/inbox?tab=group&sort=client&page=20"),
    ("GET /inbox?tab=group&q=方案 (text filter)", "/inbox?tab=group&q=%E6%96%B9%E6%A1%88"),
    ("GET /inbox?tab=done", "/inbox?tab=done"),
)


def shape(quick: bool) -> Shape:
    """Every instance in sh (the busy center) with one open task for a city role."""
    return Shape(instances=1_000 if quick else 10_000, tasks_per_instance=3, cities=2,
                 busy_share=1.0, open_share=1.0, city_only=True)


def sign_in(app, username: str = "sh.advisor"):
    """Return a test client signed in through the login form (session cookie, CSRF)."""
    client = app.test_client()
    headers = {"Accept-Language": "zh-CN", "Accept": "text/html"}
    token = CSRF.search(client.get("/login", headers=headers).get_data(as_text=True)).group(1)
    response = client.post("/login", headers=headers, data={
        "username": username, "password": "linkpass", "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {username} failed: {response.status_code}")
    return client, headers


def timed(client, headers, url: str, runs: int = 30) -> dict:
    """Return median and p95 ms of GET url (after warm-up), and the page size."""
    for _ in range(3):
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"median": times[len(times) // 2], "p95": times[int(len(times) * 0.95)],
            "bytes": len(response.get_data())}


def backend_rows(label: str, url: str, quick: bool) -> list[dict]:
    app = scale.build(url)
    counts = scale.seeded(app, shape(quick))
    where = scale.totals(app)
    client, headers = sign_in(app)
    out = [{"figure": f"{label}: seed time", "value": counts["seconds"], "unit": "s",
            "note": f"{where}, all open ones in sh"}]
    for name, path in PAGES:
        result = timed(client, headers, path)
        out.append({"figure": f"{label}: {name} p95", "value": result["p95"], "unit": "ms",
                    "note": f"median {result['median']:.1f} ms; {result['bytes']:,} bytes; "
                            "sh.advisor, test client, whole request"})
    with app.app_context():
        scale.db.engine.dispose()
    return out


def rows(quick: bool = False) -> list[dict]:
    """Seed and time the inbox page on SQLite and on PostgreSQL; return the table's rows."""
    size = shape(quick).instances
    out = [{"section": f"inbox page (issue 4): {size:,} open tasks in sh, signed in as "
                       f"sh.advisor{' (--quick: a tenth)' if quick else ''}; no target set"}]
    with tempfile.TemporaryDirectory(prefix="linkpass-page-") as folder:
        out += backend_rows("SQLite", f"sqlite:///{Path(folder) / 'page.db'}", quick)
    url = os.environ.get("BENCH_PAGE_DATABASE_URL", PAGE_URL)
    if reset_postgres(url):
        out += backend_rows("PostgreSQL", url, quick)
    else:
        out.append({"figure": "PostgreSQL: skipped", "value": None, "unit": "",
                    "note": f"{url} unreachable"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox_page", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 open tasks, not 10,000")
    args = parser.parse_args()
    from .report import table
    info = machine.describe()
    result = rows(args.quick)
    info["load_end"] = machine.load()
    print(table(info, result))


if __name__ == "__main__":
    main()
