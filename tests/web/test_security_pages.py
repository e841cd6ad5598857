"""In Chromium (issue 14, point 1): a deployed diagram carrying an XHTML script, opened by an
admin, runs nothing and creates nothing; the site's CSP refuses an injected inline script."""

from browser_support import screenshot, sign_in
from sqlalchemy import func, select, update
from support import ApiClient

from service.models import ProcessVersion, User, db

# What an author could have hidden in a diagram deployed before the deploy check refused it:
# read a CSRF token from the user form, then create an admin with it.
PAYLOAD = """<bpmn:extensionElements><h:script xmlns:h="http://www.w3.org/1999/xhtml">
window.pwned = true;
fetch("/org/users/new").then(function (r) { return r.text(); }).then(function (html) {
  var token = html.match(/name="csrf_token" value="([^"]+)"/)[1];
  var form = new URLSearchParams({csrf_token: token, username: "pwned", display_name: "P",
    email: "pwned@evil.example", center: "national", roles: "admin",
    password: "Pwned2026pwned"});
  return fetch("/org/users/new", {method: "POST", body: form});
});
</h:script><h:img xmlns:h="http://www.w3.org/1999/xhtml" src="none" onerror="window.pwned = true"/>
</bpmn:extensionElements>"""


def plant(app) -> None:
    """Put the payload into deployed version 1 of two_lanes, as an old deployment could hold."""
    with app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(
            ProcessVersion.key == "two_lanes"))
        content = version.content.replace(
            '<bpmn:userTask id="task_request" name="Request" />',
            f'<bpmn:userTask id="task_request" name="Request">{PAYLOAD}</bpmn:userTask>')
        assert content != version.content
        db.session.execute(update(ProcessVersion).where(ProcessVersion.id == version.id)
                           .values(content=content))
        db.session.commit()
        db.session.remove()


def users_named(app, username: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(User).where(
            User.username == username))
        db.session.remove()
        return found


def test_opening_a_diagram_with_an_xhtml_script_runs_nothing(app, client, live_server,
                                                               new_context):
    ApiClient(client, "owner").deploy("two_lanes.bpmn")
    plant(app)
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "admin")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(f"{live_server}/monitor/processes/two_lanes/1.bpmn")
    page.wait_for_load_state("load")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert "h:script" in page.inner_text("body")  # shown as text, not run
    assert page.evaluate("() => window.pwned === undefined")
    assert not [url for url in requests if "/org/users/new" in url]
    screenshot(page, "security-diagram-as-text")
    # The monitor's viewer still draws the diagram from the same route.
    page.goto(f"{live_server}/monitor/?process=two_lanes")
    page.wait_for_selector("#heatmap-canvas .djs-container, #heatmap-canvas svg",
                           timeout=15_000)
    assert not [url for url in requests if "/org/users/new" in url]
    assert users_named(app, "pwned") == 0


def test_the_csp_refuses_a_script_injected_into_a_page(app, live_server, new_context,
                                                       csp_violations):
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "sh.advisor")
    ran = page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        const link = document.createElement("a");
        link.setAttribute("onclick", "window.injected = true");
        document.body.appendChild(link);
        link.click();
        return window.injected === true;
    }""")
    assert ran is False
    page.wait_for_function("() => true")
    assert any("script-src 'self'" in message for message in csp_violations), csp_violations
    csp_violations.clear()  # provoked on purpose
