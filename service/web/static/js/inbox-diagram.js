// The task page's diagram: draw the process version's BPMN read-only and mark the task's step.
(function () {
  "use strict";
  const box = document.getElementById("diagram");
  if (!box || !window.BpmnJS) return;

  function say(text) {
    const status = box.querySelector(".lp-diagram-status");
    if (status) status.textContent = text;
    box.dataset.state = "message";
  }

  fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (diagram) {
      if (diagram.xml.indexOf("BPMNDiagram") < 0) { say(box.dataset.empty); return null; }
      const viewer = new window.BpmnJS({ container: box });
      return viewer.importXML(diagram.xml).then(function () {
        const canvas = viewer.get("canvas");
        const registry = viewer.get("elementRegistry");
        diagram.done.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "lp-done"); });
        diagram.current.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "lp-current"); });
        canvas.zoom("fit-viewport", "auto");
        const status = box.querySelector(".lp-diagram-status");
        if (status) status.remove();
        box.dataset.state = "drawn";
      });
    })
    .catch(function () { say(box.dataset.error); });
})();
