"""Browser fixtures: a real HTTP server on loopback and Debian's Chromium through Playwright."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]


@pytest.fixture
def live_server(app):
    """Serve the app on a free loopback port in a thread; yield its base URL (the app's public
    address: links in mails and for guests point at it)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["PUBLIC_BASE_URL"]
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations():
    """What Chromium refused under the Content-Security-Policy in this test's pages.

    Every page must work within the policy: the list must be empty when the test ends (a test
    that provokes a refusal on purpose reads it and clears it).
    """
    return []


@pytest.fixture
def new_context(browser, csp_violations):
    """Return a factory of fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def watch(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{message.location.get('url')}: {message.text}")

    def make(locale="zh-CN", width=1280, height=900):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        context.on("console", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not csp_violations, csp_violations


@pytest.fixture
def page(new_context):
    return new_context().new_page()
