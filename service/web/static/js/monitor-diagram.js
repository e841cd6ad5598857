/* Monitor diagrams: the heatmap of time per step, and an instance's completed, active and failed
   elements, drawn with bpmn-js's NavigatedViewer (overlays and colours, no editing). */
(function () {
  "use strict";

  function fetchXml(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      return response.text();
    });
  }

  function open(containerId, config, decorate) {
    var container = document.getElementById(containerId);
    if (!container || !window.BpmnJS) return;
    var viewer = new window.BpmnJS({ container: container });
    fetchXml(config.xml).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      decorate(viewer, config);
      container.classList.add("lp-ready");
    }).catch(function (error) {
      container.classList.add("lp-failed");
      container.textContent = (config.strings && config.strings.failed || "") + ": " + error.message;
    });
  }

  function shapeOf(viewer, id) {
    var registry = viewer.get("elementRegistry");
    var element = registry.get(id);
    if (!element) return null;
    return { element: element, gfx: registry.getGraphics(element) };
  }

  function formatDuration(seconds, units) {
    if (seconds < 60) return Math.round(seconds) + " " + units.s;
    if (seconds < 3600) return Math.round(seconds / 60) + " " + units.min;
    if (seconds < 86400) return (seconds / 3600).toFixed(1) + " " + units.h;
    return (seconds / 86400).toFixed(1) + " " + units.d;
  }

  function badge(text, style, title) {
    var node = document.createElement("span");
    node.className = "badge rounded-pill lp-overlay-badge " + style;
    node.textContent = text;
    if (title) node.title = title;
    return node;
  }

  /* Green (fast) to red (slow), relative to the slowest step of the process. */
  function heatColour(ratio) {
    var hue = Math.round(120 * (1 - Math.max(0, Math.min(1, ratio))));
    return "hsl(" + hue + ", 78%, 62%)";
  }

  function decorateHeat(viewer, config) {
    var overlays = viewer.get("overlays");
    var ids = Object.keys(config.heat);
    var slowest = Math.max.apply(null, ids.map(function (id) { return config.heat[id].avg_seconds; }).concat([1]));
    ids.forEach(function (id) {
      var stat = config.heat[id];
      var shape = shapeOf(viewer, id);
      if (!shape) return;
      var visual = shape.gfx.querySelector(".djs-visual > rect, .djs-visual > circle, .djs-visual > polygon");
      if (stat.count && visual) {
        visual.style.fill = heatColour(stat.avg_seconds / slowest);
        visual.style.fillOpacity = "0.9";
        shape.gfx.classList.add("lp-heat");
        shape.gfx.dataset.avgSeconds = String(Math.round(stat.avg_seconds));
        overlays.add(id, { position: { top: -12, right: 34 }, html: badge(
          formatDuration(stat.avg_seconds, config.units), "text-bg-light border lp-heat-avg",
          config.strings.avg) });
        overlays.add(id, { position: { bottom: 10, left: -8 }, html: badge(
          String(stat.count), "text-bg-dark", config.strings.completed) });
      }
      if (stat.open) {
        overlays.add(id, { position: { bottom: 10, right: 8 }, html: badge(
          String(stat.open), "text-bg-primary", config.strings.open) });
      }
    });
  }

  function decorateInstance(viewer, config) {
    var overlays = viewer.get("overlays");
    var canvas = viewer.get("canvas");
    Object.keys(config.counts).forEach(function (id) {
      var count = config.counts[id];
      if (!shapeOf(viewer, id)) return;
      var marker = count.failed ? "lp-el-failed" : count.active ? "lp-el-active" : "lp-el-completed";
      canvas.addMarker(id, marker);
      var position = { bottom: 10, left: -8 };
      if (count.completed) overlays.add(id, { position: position, html: badge(
        "✓ " + count.completed, "text-bg-success", config.strings.completed) });
      if (count.active) overlays.add(id, { position: { top: -10, right: 10 }, html: badge(
        "● " + count.active, "text-bg-primary", config.strings.active) });
      if (count.failed) overlays.add(id, { position: { top: -10, right: 10 }, html: badge(
        "! " + count.failed, "text-bg-danger", config.strings.failed_count) });
    });
  }

  var heat = document.getElementById("heatmap-config");
  if (heat) open("heatmap-canvas", JSON.parse(heat.textContent), decorateHeat);
  var instance = document.getElementById("instance-config");
  if (instance) open("instance-canvas", JSON.parse(instance.textContent), decorateInstance);
})();
