/* Version comparison: both versions side by side, what changed marked on each. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("compare-config").textContent);
  var viewers = {};

  function mark(viewer, ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    ids.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, marker); });
  }

  function open(side, xml, marks) {
    var viewer = new window.BpmnJS({ container: "#canvas-" + side });
    viewers[side] = viewer;
    return viewer.importXML(xml).then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      Object.keys(marks).forEach(function (marker) { mark(viewer, marks[marker], marker); });
      document.getElementById("canvas-" + side).classList.add("lp-ready");
    }).catch(function (error) {
      document.getElementById("canvas-" + side).textContent = error.message;
    });
  }

  open("old", config.old, { "lp-diff-removed": config.removed, "lp-diff-changed": config.changed });
  open("new", config["new"], { "lp-diff-added": config.added, "lp-diff-changed": config.changed });

  /* A row of the change list brings its element into view on both diagrams. */
  document.querySelectorAll(".lp-diff-row").forEach(function (row) {
    row.addEventListener("click", function () {
      var id = row.dataset.elementId;
      Object.keys(viewers).forEach(function (side) {
        var element = viewers[side].get("elementRegistry").get(id);
        if (element) viewers[side].get("canvas").scrollToElement(element);
      });
    });
  });
})();
