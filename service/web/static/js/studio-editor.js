/* The studio editor: bpmn-js Modeler, properties panel, drafts, validation markers, deploy. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("studio-config").textContent);
  var t = config.strings;
  var canvasBox = document.getElementById("canvas");
  var modeler = new window.BpmnJS({
    container: canvasBox,
    additionalModules: config.lang === "zh_CN" ? [window.LP_BPMN_ZH] : [],
    moddleExtensions: { spiffworkflow: window.LP_SPIFF_MODDLE }
  });
  var panel = new window.StudioPanel(modeler, document.getElementById("properties"), config);
  var findings = [];
  var dirty = false;
  window.studio = { modeler: modeler, panel: panel };  // for debugging from the console

  function $(id) { return document.getElementById(id); }

  function toast(message, kind) {
    var box = $("studio-toast");
    box.className = "toast align-items-center border-0 text-bg-" + (kind || "success");
    $("studio-toast-text").textContent = message;
    window.bootstrap.Toast.getOrCreateInstance(box, { delay: 4000 }).show();
  }

  function setStatus(text, kind) {
    var badge = $("editor-status");
    badge.className = "badge rounded-pill text-bg-" + kind;
    badge.textContent = text;
  }

  function markDirty(value) {
    dirty = value;
    if (value) setStatus(t.unsaved, "warning");
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": config.csrf },
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function currentXml() {
    panel.flush();
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function busy(button, on) {
    button.disabled = on;
    button.querySelector(".spinner-border").classList.toggle("d-none", !on);
  }

  /* Findings: a marker and a badge on each offending element, and a list in the Problems tab. */
  function clearFindings() {
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    findings.forEach(function (f) {
      if (f.element_id && registry.get(f.element_id)) canvas.removeMarker(f.element_id, "lp-invalid");
    });
    modeler.get("overlays").remove({ type: "lp-finding" });
    findings = [];
  }

  function showFindings(list) {
    clearFindings();
    findings = list;
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    var overlays = modeler.get("overlays");
    var box = $("problems-list");
    box.replaceChildren();
    $("problems-count").textContent = list.length;
    $("problems-count").className = "badge rounded-pill ms-1 text-bg-" + (list.length ? "danger" : "success");
    if (!list.length) {
      box.innerHTML = '<div class="text-center text-success py-4" id="no-problems">' +
        '<i class="bi bi-check2-circle display-6 d-block mb-2"></i></div>';
      box.firstChild.appendChild(document.createTextNode(t.noProblems));
      return;
    }
    list.forEach(function (finding) {
      var element = finding.element_id ? registry.get(finding.element_id) : null;
      if (element) {
        canvas.addMarker(element, "lp-invalid");
        var badge = document.createElement("span");
        badge.className = "lp-finding-badge";
        badge.title = finding.message;
        badge.innerHTML = '<i class="bi bi-exclamation-lg"></i>';
        overlays.add(element, "lp-finding", { position: { top: -10, right: 10 }, html: badge });
      }
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action lp-problem";
      item.dataset.elementId = finding.element_id || "";
      var name = element ? (element.businessObject.name || element.id) : (finding.element_id || t.wholeDiagram);
      item.innerHTML = '<div class="d-flex gap-2"><i class="bi bi-exclamation-octagon-fill text-danger mt-1"></i>' +
        '<div class="min-w-0"><div class="fw-semibold small"></div><div class="small text-secondary text-break"></div></div></div>';
      item.querySelector(".fw-semibold").textContent = name;
      item.querySelector(".text-secondary").textContent = finding.message;
      item.addEventListener("click", function () {
        if (!element) return;
        modeler.get("selection").select(element);
        canvas.scrollToElement(element, { top: 80, bottom: 80, left: 180, right: 80 });
      });
      box.appendChild(item);
    });
  }

  /* Bootstrap ignores hide() while a modal is still fading in: hide it once it is shown. */
  function hideModal(id) {
    var node = $(id);
    var modal = window.bootstrap.Modal.getOrCreateInstance(node);
    if (modal._isTransitioning) {
      node.addEventListener("shown.bs.modal", function () { modal.hide(); }, { once: true });
    } else {
      modal.hide();
    }
  }

  function showProblemsTab() {
    window.bootstrap.Tab.getOrCreateInstance($("tab-problems")).show();
  }

  function saveDraft() {
    var button = $("btn-save");
    busy(button, true);
    return currentXml().then(function (xml) {
      return request("PUT", config.urls.draft, { xml: xml });
    }).then(function (result) {
      busy(button, false);
      if (!result.ok) { toast(result.data.message || t.failed, "danger"); return false; }
      dirty = false;
      setStatus(t.draftSaved, "info");
      $("btn-discard").classList.remove("d-none");
      toast(t.draftSavedAt + " " + result.data.saved_at);
      return true;
    });
  }

  function validate() {
    var button = $("btn-validate");
    busy(button, true);
    return currentXml().then(function (xml) {
      return request("POST", config.urls.validate, { xml: xml });
    }).then(function (result) {
      busy(button, false);
      if (!result.ok) { toast(result.data.message || t.failed, "danger"); return; }
      showFindings(result.data.findings);
      showProblemsTab();
      toast(result.data.findings.length ? t.problemsFound : t.noProblems,
            result.data.findings.length ? "danger" : "success");
    });
  }

  function deploy() {
    var button = $("btn-deploy-confirm");
    busy(button, true);
    return currentXml().then(function (xml) {
      return request("POST", config.urls.deploy, { xml: xml });
    }).then(function (result) {
      busy(button, false);
      hideModal("deploy-modal");
      if (result.status === 422 && result.data.details && result.data.details.findings) {
        showFindings(result.data.details.findings);
        showProblemsTab();
        toast(t.deployRefused, "danger");
        return;
      }
      if (!result.ok) { toast(result.data.message || t.failed, "danger"); return; }
      showFindings([]);
      dirty = false;
      $("btn-discard").classList.add("d-none");
      var text = (result.data.created ? t.deployed : t.unchanged).replace("{version}", result.data.version);
      setStatus(t.version + " " + result.data.version, "success");
      $("deploy-result").classList.remove("d-none");
      $("deploy-result-text").textContent = text;
      toast(text);
    });
  }

  function discard() {
    request("DELETE", config.urls.draft).then(function (result) {
      if (result.ok || result.status === 404) { dirty = false; window.location.href = config.urls.reload; }
      else toast(result.data.message || t.failed, "danger");
    });
  }

  function download() {
    currentXml().then(function (xml) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
      link.download = config.key + ".bpmn";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  /* bpmn-js drops references it cannot resolve; a multi-instance collection names a variable. */
  function keepVariableReferences(warnings) {
    var moddle = modeler.get("moddle");
    var lost = [];
    warnings.forEach(function (w) {
      if (/^unresolved reference/.test(w.message) && w.element && w.property) {
        w.element.set(w.property, moddle.create("bpmn:ItemAwareElement", { id: w.value }));
      } else if (/^unparsable content/.test(w.message)) {
        lost.push(w.message.split("\n")[0]);
      }
    });
    if (lost.length) {
      $("import-warning").classList.remove("d-none");
      $("import-warning-text").textContent = lost.join("; ");
    }
  }

  /* Fit the diagram, leaving room on the left for the palette; a big one opens readable at its
   * start rather than shrunk to a strip. */
  var MIN_SCALE = 0.7;
  function fit() {
    var canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    var inner = canvas.viewbox().inner;
    var width = canvasBox.clientWidth, height = canvasBox.clientHeight;
    var left = width > 576 ? 140 : 16, pad = 24;
    var fitted = Math.min((width - left - pad) / inner.width, (height - 2 * pad) / inner.height, 1);
    var scale = Math.max(fitted, Math.min(MIN_SCALE, 1));
    var top = inner.height * scale <= height - 2 * pad ?
      inner.y - (height / scale - inner.height) / 2 : inner.y - pad / scale;
    canvas.viewbox({ x: inner.x - left / scale, y: top, width: width / scale, height: height / scale });
  }

  modeler.importXML(config.xml).then(function (result) {
    keepVariableReferences(result.warnings);
    fit();
    panel.show(null);
    canvasBox.classList.add("lp-ready");
    modeler.on("commandStack.changed", function () { markDirty(true); });
  }).catch(function (error) {
    $("import-error").classList.remove("d-none");
    $("import-error-text").textContent = error.message;
  });

  $("btn-save").addEventListener("click", saveDraft);
  $("btn-validate").addEventListener("click", validate);
  $("btn-deploy-confirm").addEventListener("click", deploy);
  $("btn-download").addEventListener("click", download);
  $("btn-discard-confirm").addEventListener("click", discard);
  $("btn-zoom-fit").addEventListener("click", fit);
  $("btn-undo").addEventListener("click", function () { modeler.get("commandStack").undo(); });
  $("btn-redo").addEventListener("click", function () { modeler.get("commandStack").redo(); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
