/* Properties panel building blocks: form fields, and reading/writing spiffworkflow extensions
 * through the modeler's command stack (so undo and redo cover every edit). */
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /* Fields commit on change, and after a pause while typing; flush() commits what is pending.
   * typing is true while a text field commits: the panel must not be redrawn under the user's
   * hands (a redraw on blur would swap the input the next keystrokes go to). */
  function Fields() { this.pending = {}; this.typing = false; }

  Fields.prototype.flush = function () {
    var pending = this.pending;
    this.pending = {};
    Object.keys(pending).forEach(function (id) {
      clearTimeout(pending[id].timer);
      pending[id].commit();
    });
  };

  Fields.prototype._wire = function (input, onCommit, read, typed) {
    var self = this;
    var last = read();
    function commit() {
      delete self.pending[input.id];
      var value = read();
      if (value === last) return;
      last = value;
      self.typing = !!typed;
      try { onCommit(value); } finally { self.typing = false; }
    }
    input.addEventListener("change", commit);
    input.addEventListener("input", function () {
      var entry = self.pending[input.id] || { commit: commit };
      clearTimeout(entry.timer);
      entry.timer = setTimeout(commit, DEBOUNCE_MS);
      self.pending[input.id] = entry;
    });
  };

  function wrap(spec, control) {
    var help = spec.help ? el("div", { className: "form-text", text: spec.help }) : null;
    var feedback = spec.invalid ? el("div", { className: "invalid-feedback", text: spec.invalid }) : null;
    return el("div", { className: "mb-3" }, [
      el("label", { className: "form-label small fw-semibold mb-1", "for": spec.id, text: spec.label }),
      control, feedback, help]);
  }

  Fields.prototype.text = function (spec) {
    var input = el("input", {
      type: "text", id: spec.id, className: "form-control form-control-sm" + (spec.mono ? " font-monospace" : ""),
      placeholder: spec.placeholder, readonly: spec.readonly, list: spec.list, autocomplete: "off"});
    input.value = spec.value || "";
    if (spec.pattern) {
      var check = function () {
        input.classList.toggle("is-invalid", !!input.value && !spec.pattern.test(input.value));
      };
      input.addEventListener("input", check);
      check();
    }
    if (!spec.readonly) {
      this._wire(input, spec.onCommit, function () { return input.value.trim(); }, true);
    }
    return wrap(spec, input);
  };

  Fields.prototype.code = function (spec) {
    var area = el("textarea", {
      id: spec.id, rows: spec.rows || 4, spellcheck: "false", placeholder: spec.placeholder,
      className: "form-control form-control-sm font-monospace lp-code"});
    area.value = spec.value || "";
    this._wire(area, spec.onCommit, function () { return area.value; }, true);
    return wrap(spec, area);
  };

  Fields.prototype.select = function (spec) {
    var select = el("select", { id: spec.id, className: "form-select form-select-sm" });
    spec.options.forEach(function (option) {
      var node = el("option", { value: option.value, text: option.label });
      if (option.value === (spec.value || "")) node.selected = true;
      select.appendChild(node);
    });
    this._wire(select, spec.onCommit, function () { return select.value; });
    return wrap(spec, select);
  };

  Fields.prototype.check = function (spec) {
    var box = el("input", { type: "checkbox", id: spec.id, className: "form-check-input" });
    box.checked = !!spec.value;
    box.addEventListener("change", function () { spec.onCommit(box.checked); });
    return el("div", { className: "form-check form-switch mb-3" }, [
      box, el("label", { className: "form-check-label small", "for": spec.id, text: spec.label })]);
  };

  function group(title, icon, children) {
    return el("section", { className: "lp-panel-group" }, [
      el("h6", { className: "lp-panel-group-title" }, [
        el("i", { className: "bi " + icon + " me-1" }), document.createTextNode(title)])
    ].concat(children));
  }

  /* Extension elements: spiffworkflow:properties/property and single-value elements. */
  function Extensions(modeler) {
    this.moddle = modeler.get("moddle");
    this.modeling = modeler.get("modeling");
  }

  Extensions.prototype.values = function (bo) {
    return (bo && bo.extensionElements && bo.extensionElements.get("values")) || [];
  };

  Extensions.prototype.find = function (bo, type) {
    return this.values(bo).find(function (v) { return v.$type === type; });
  };

  Extensions.prototype._container = function (element, bo) {
    var ext = bo.extensionElements;
    if (!ext) {
      ext = this.moddle.create("bpmn:ExtensionElements", { values: [] });
      ext.$parent = bo;
      this.modeling.updateModdleProperties(element, bo, { extensionElements: ext });
    }
    return ext;
  };

  Extensions.prototype._add = function (element, bo, child) {
    var ext = this._container(element, bo);
    child.$parent = ext;
    this.modeling.updateModdleProperties(element, ext, { values: ext.get("values").concat([child]) });
  };

  Extensions.prototype._remove = function (element, bo, child) {
    var ext = bo.extensionElements;
    this.modeling.updateModdleProperties(element, ext, {
      values: ext.get("values").filter(function (v) { return v !== child; })});
  };

  Extensions.prototype.property = function (bo, name) {
    var props = this.find(bo, "spiffworkflow:Properties");
    var found = props && props.get("properties").find(function (p) { return p.name === name; });
    return found ? found.value || "" : "";
  };

  Extensions.prototype.setProperty = function (element, bo, name, value) {
    var props = this.find(bo, "spiffworkflow:Properties");
    var found = props && props.get("properties").find(function (p) { return p.name === name; });
    if (!value) {
      if (found) {
        this.modeling.updateModdleProperties(element, props, {
          properties: props.get("properties").filter(function (p) { return p !== found; })});
      }
      return;
    }
    if (found) {
      this.modeling.updateModdleProperties(element, found, { value: value });
      return;
    }
    if (!props) {
      props = this.moddle.create("spiffworkflow:Properties", { properties: [] });
      this._add(element, bo, props);
    }
    var prop = this.moddle.create("spiffworkflow:Property", { name: name, value: value });
    prop.$parent = props;
    this.modeling.updateModdleProperties(element, props, {
      properties: props.get("properties").concat([prop])});
  };

  /* A single-value element such as spiffworkflow:preScript or spiffworkflow:messageVariable. */
  Extensions.prototype.body = function (bo, type) {
    var found = this.find(bo, type);
    return found ? found.value || "" : "";
  };

  Extensions.prototype.setBody = function (element, bo, type, value) {
    var found = this.find(bo, type);
    if (!value) {
      if (found) this._remove(element, bo, found);
    } else if (found) {
      this.modeling.updateModdleProperties(element, found, { value: value });
    } else {
      this._add(element, bo, this.moddle.create(type, { value: value }));
    }
  };

  window.LPStudioFields = { el: el, Fields: Fields, Extensions: Extensions, group: group };
})();
