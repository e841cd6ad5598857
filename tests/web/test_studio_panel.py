"""The properties panel writes what the engine reads: timers, messages, multi-instance, calls."""

from browser_support import screenshot, sign_in
from lxml import etree
from playwright.sync_api import expect
from support import ApiClient

from service.models import DiagramDraft, db

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def element(page, element_id):
    return page.locator(f'.djs-element[data-element-id="{element_id}"]')


def test_the_panel_edits_timers_messages_multi_instance_and_calls(app, live_server,
                                                                  new_context, client):
    owner = ApiClient(client, "owner")
    owner.deploy("child_process.bpmn", "studio_features.bpmn")
    page = new_context(locale="en").new_page()
    sign_in(page, live_server, "owner")
    page.goto(f"{live_server}/studio/processes/studio_features/edit")
    page.wait_for_selector("#canvas.lp-ready")

    element(page, "timer_remind").click()
    expect(page.locator("#prop-timer-kind")).to_have_value("timeDuration")
    expect(page.locator("#prop-timer")).to_have_value('"P1D"')
    page.fill("#prop-timer", '"P2D"')
    element(page, "wait_result").click()
    expect(page.locator("#prop-message")).to_have_value("certification_result")
    expect(page.locator("#prop-message-variable")).to_have_value("result")
    page.fill("#prop-message", "certificate_ready")
    page.fill("#prop-message-variable", "certificate")
    page.fill("#prop-correlation", "case_id")
    element(page, "task_review").click()
    expect(page.locator("#prop-multi")).to_have_value("parallel")
    expect(page.locator("#prop-collection")).to_have_value("items")  # kept though unresolved
    page.fill("#prop-element-variable", "entry")
    page.select_option("#prop-multi", "sequential")
    page.fill("#prop-due", "P1W")
    element(page, "call_child").click()
    expect(page.locator("#prop-called")).to_have_value("child_process")
    screenshot(page, "studio-editor-call-activity")
    page.click("#btn-save")
    expect(page.locator("#editor-status")).to_have_text("Draft saved")
    page.click("#btn-validate")
    expect(page.locator("#no-problems")).to_be_visible()

    with app.app_context():
        xml = db.session.query(DiagramDraft).one().content.encode("utf-8")
    root = etree.fromstring(xml)
    assert root.findtext(".//bpmn:boundaryEvent//bpmn:timeDuration", namespaces=NS) == '"P2D"'
    message = root.find('.//bpmn:message[@name="certificate_ready"]', NS)
    catch = root.find('.//bpmn:intermediateCatchEvent[@id="wait_result"]', NS)
    definition = catch.find("bpmn:messageEventDefinition", NS)
    assert definition.get("messageRef") == message.get("id")
    assert definition.findtext(".//spiffworkflow:messageVariable", namespaces=NS) == "certificate"
    assert catch.find('.//spiffworkflow:property[@name="correlationKey"]', NS).get(
        "value") == "case_id"
    loop = root.find('.//bpmn:userTask[@id="task_review"]/bpmn:multiInstanceLoopCharacteristics',
                     NS)
    assert loop.get("isSequential") == "true"
    assert loop.findtext("bpmn:loopDataInputRef", namespaces=NS) == "items"
    assert loop.find("bpmn:inputDataItem", NS).get("id") == "entry"
    assert root.find('.//bpmn:userTask[@id="task_review"]//spiffworkflow:property[@name="dueIn"]',
                     NS).get("value") == "P1W"
