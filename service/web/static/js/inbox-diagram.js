// The task page's diagram: draw the process version's BPMN read-only and mark the task's step.
(function () {
  "use strict";
  const container = document.getElementById("diagram");
  if (!container || !window.BpmnJS) return;

  function say(text) {
    const status = container.querySelector(".lp-diagram-status");
    if (status) status.textContent = text;
    container.dataset.state = "message";
  }

  fetch(container.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(function (diagram) {
      if (diagram.xml.indexOf("BPMNDiagram") < 0) { say(container.dataset.empty); return null; }
      const viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(diagram.xml).then(function () {
        const canvas = viewer.get("canvas");
        const registry = viewer.get("elementRegistry");
        diagram.done.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "lp-done"); });
        diagram.current.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "lp-current"); });
        canvas.zoom("fit-viewport", "auto");
        // A long process fits only when tiny: then show the current step at a readable size.
        const current = diagram.current.map(function (id) { return registry.get(id); })
          .filter(Boolean)[0];
        if (current && canvas.zoom() < 0.6) {
          canvas.zoom(0.8);
          const box = canvas.viewbox();
          canvas.viewbox({ x: current.x + current.width / 2 - box.width / 2,
                           y: current.y + current.height / 2 - box.height / 2,
                           width: box.width, height: box.height });
        }
        const status = container.querySelector(".lp-diagram-status");
        if (status) status.remove();
        container.dataset.state = "drawn";
      });
    })
    .catch(function () { say(container.dataset.error); });
})();
