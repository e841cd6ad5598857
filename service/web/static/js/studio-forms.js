/* The form editor: quick "add a field" buttons and tab indentation; htmx redraws the preview. */
(function () {
  "use strict";

  var area = document.getElementById("schema");
  var FIELDS = {
    string: { type: "string", title: "新字段", "x-title-en": "New field" },
    number: { type: "number", title: "数量", "x-title-en": "Amount", minimum: 0 },
    boolean: { type: "boolean", title: "是否确认", "x-title-en": "Confirmed" },
    "enum": { type: "string", title: "选择", "x-title-en": "Choice", "enum": ["a", "b"],
              "x-enum-titles": ["选项 A", "选项 B"], "x-enum-titles-en": ["Option A", "Option B"] },
    date: { type: "string", format: "date", title: "日期", "x-title-en": "Date" }
  };

  function changed() {
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.querySelectorAll("[data-add-field]").forEach(function (button) {
    button.addEventListener("click", function () {
      var schema;
      try {
        schema = JSON.parse(area.value);
      } catch (error) {
        area.classList.add("is-invalid");
        return;
      }
      area.classList.remove("is-invalid");
      schema.properties = schema.properties || {};
      var n = 1;
      while (schema.properties["field_" + n]) n += 1;
      schema.properties["field_" + n] = JSON.parse(JSON.stringify(FIELDS[button.dataset.addField]));
      area.value = JSON.stringify(schema, null, 2);
      changed();
    });
  });

  area.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.shiftKey) return;
    event.preventDefault();
    var start = area.selectionStart;
    area.setRangeText("  ", start, area.selectionEnd, "end");
    changed();
  });
})();
