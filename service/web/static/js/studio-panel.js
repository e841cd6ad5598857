/* The properties panel: everything the engine reads from a diagram, per selected element. */
(function () {
  "use strict";

  var F = window.LPStudioFields;
  var el = F.el;
  var DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

  function StudioPanel(modeler, container, config) {
    this.modeler = modeler;
    this.container = container;
    this.config = config;
    this.t = config.strings;
    this.fields = new F.Fields();
    this.ext = new F.Extensions(modeler);
    this.modeling = modeler.get("modeling");
    this.moddle = modeler.get("moddle");
    this.registry = modeler.get("elementRegistry");
    this.canvas = modeler.get("canvas");
    this.current = null;
    var self = this;
    modeler.on("selection.changed", function (event) {
      self.fields.flush();
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on("elements.changed", function (event) {
      var shown = self.current;
      var touched = shown && event.elements.some(function (e) { return e === shown || e.id === shown.id; });
      if (!touched) return;
      // Keep what the user is typing: re-draw only for edits made elsewhere (canvas, undo).
      if (self.fields.typing || container.contains(document.activeElement)) {
        var title = document.getElementById("panel-title");
        if (title && shown !== self.canvas.getRootElement()) {
          title.textContent = shown.businessObject.name || shown.id;
        }
        return;
      }
      self.show(self.registry.get(shown.id) || null);
    });
  }

  StudioPanel.prototype.flush = function () { this.fields.flush(); };

  StudioPanel.prototype.show = function (element) {
    var root = this.canvas.getRootElement();
    this.current = element || root;
    this.container.replaceChildren();
    // Before a diagram is imported the root is an implicit one without a business object.
    if (!this.current || !this.current.businessObject) return;
    var bo = this.current.businessObject;
    var title = this.current === root && this.mainProcess() ? this.mainProcess() : bo;
    this.container.appendChild(this.header(this.current, title));
    var sections = [];
    if (this.current === root || bo.$instanceOf("bpmn:Participant")) {
      sections.push(this.processGroup(this.current));
    }
    if (this.current !== root) sections.push(this.generalGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:Lane")) sections.push(this.laneGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:FlowNode") && !bo.$instanceOf("bpmn:BoundaryEvent")) {
      var lane = this.laneChoice(this.current, bo);
      if (lane) sections.push(lane);
    }
    if (bo.$instanceOf("bpmn:UserTask") || bo.$instanceOf("bpmn:ManualTask")) {
      sections.push(this.userTaskGroup(this.current, bo));
    }
    if (bo.$instanceOf("bpmn:ScriptTask")) sections.push(this.scriptGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:Gateway") && this.outgoing(this.current).length) {
      sections.push(this.gatewayGroup(this.current, bo));
    }
    if (bo.$instanceOf("bpmn:SequenceFlow")) sections.push(this.flowGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:Event")) {
      var timer = this.definition(bo, "bpmn:TimerEventDefinition");
      if (timer) sections.push(this.timerGroup(this.current, timer));
    }
    if (this.messageTarget(bo)) sections.push(this.messageGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:CallActivity")) sections.push(this.callGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:BusinessRuleTask")) sections.push(this.decisionGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:ServiceTask")) sections.push(this.serviceGroup(this.current, bo));
    if (bo.$instanceOf("bpmn:Activity")) {
      sections.push(this.multiInstanceGroup(this.current, bo));
      sections.push(this.scriptsGroup(this.current, bo));
    }
    var box = this.container;
    sections.forEach(function (section) { if (section) box.appendChild(section); });
  };

  StudioPanel.prototype.typeLabel = function (bo) {
    return this.t["type:" + bo.$type] || bo.$type.replace("bpmn:", "");
  };

  var ICONS = {
    "bpmn:ExclusiveGateway": "gateway-xor", "bpmn:ParallelGateway": "gateway-parallel",
    "bpmn:InclusiveGateway": "gateway-or", "bpmn:EventBasedGateway": "gateway-eventbased",
    "bpmn:StartEvent": "start-event-none", "bpmn:EndEvent": "end-event-none",
    "bpmn:IntermediateCatchEvent": "intermediate-event-none", "bpmn:BoundaryEvent": "intermediate-event-none",
    "bpmn:IntermediateThrowEvent": "intermediate-event-none", "bpmn:SequenceFlow": "connection",
    "bpmn:SubProcess": "subprocess-expanded", "bpmn:Process": "participant",
    "bpmn:Collaboration": "participant"
  };

  StudioPanel.prototype.header = function (element, bo) {
    var icon = "bpmn-icon-" + (ICONS[bo.$type] ||
      bo.$type.replace("bpmn:", "").replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase());
    return el("div", { className: "lp-panel-head" }, [
      el("span", { className: "lp-panel-icon " + icon }),
      el("div", { className: "min-w-0" }, [
        el("div", { className: "small text-secondary", text: this.typeLabel(bo) }),
        el("div", { className: "fw-semibold text-truncate", id: "panel-title",
                    text: bo.name || bo.id })])]);
  };

  StudioPanel.prototype.mainProcess = function () {
    var roots = this.modeler.getDefinitions().get("rootElements");
    var processes = roots.filter(function (r) { return r.$type === "bpmn:Process"; });
    return processes.find(function (p) { return p.isExecutable; }) || processes[0];
  };

  StudioPanel.prototype.processGroup = function (element) {
    var self = this, t = this.t;
    var bo = element.businessObject;
    var process = bo.$instanceOf("bpmn:Participant") ? bo.processRef : this.mainProcess();
    if (!process) return null;
    return F.group(t.process, "bi-diagram-3", [
      this.fields.text({ id: "prop-process-key", label: t.processKey, value: process.id,
                         readonly: true, mono: true, help: t.processKeyHelp }),
      this.fields.text({ id: "prop-process-name", label: t.processName, value: process.name,
        onCommit: function (value) {
          self.modeling.updateModdleProperties(element, process, { name: value || undefined });
        }}),
      this.fields.check({ id: "prop-executable", label: t.executable, value: process.isExecutable,
        onCommit: function (value) {
          self.modeling.updateModdleProperties(element, process, { isExecutable: value });
        }})]);
  };

  StudioPanel.prototype.generalGroup = function (element, bo) {
    var self = this, t = this.t;
    return F.group(t.general, "bi-card-text", [
      this.fields.text({ id: "prop-id", label: t.id, value: bo.id, readonly: true, mono: true }),
      this.fields.text({ id: "prop-name", label: t.name, value: bo.name,
        onCommit: function (value) { self.modeling.updateProperties(element, { name: value || undefined }); }})]);
  };

  StudioPanel.prototype.roleOptions = function (current) {
    var t = this.t;
    var options = [{ value: "", label: t.chooseRole }];
    var known = this.config.roles.some(function (r) { return r.names.indexOf(current) >= 0; });
    if (current && !known) options.push({ value: current, label: t.unknownRole + ": " + current });
    this.config.roles.forEach(function (role) {
      options.push({ value: role.key, label: role.label + " (" + role.key + ")" });
    });
    return options;
  };

  StudioPanel.prototype.laneGroup = function (element, bo) {
    var self = this, t = this.t;
    var name = (bo.name || "").trim();
    var role = this.config.roles.find(function (r) { return r.names.indexOf(name) >= 0; });
    return F.group(t.laneRole, "bi-person-badge", [
      this.fields.select({ id: "prop-role", label: t.role, value: role ? role.key : name,
        options: this.roleOptions(name), help: t.roleHelp,
        onCommit: function (value) {
          if (value) self.modeling.updateProperties(element, { name: value });
        }})]);
  };

  StudioPanel.prototype.lanes = function () {
    return this.registry.filter(function (e) {
      var lanes = e.businessObject.childLaneSet && e.businessObject.childLaneSet.get("lanes");
      return e.type === "bpmn:Lane" && !(lanes && lanes.length);
    });
  };

  StudioPanel.prototype.laneChoice = function (element, bo) {
    var self = this, t = this.t;
    var lanes = this.lanes();
    if (!lanes.length || element.waypoints) return null;
    var current = lanes.find(function (lane) {
      return (lane.businessObject.get("flowNodeRef") || []).indexOf(bo) >= 0;
    });
    var options = lanes.map(function (lane) {
      return { value: lane.id, label: lane.businessObject.name || lane.id };
    });
    if (!current) options.unshift({ value: "", label: t.noLane });
    return F.group(t.lane, "bi-distribute-vertical", [
      this.fields.select({ id: "prop-lane", label: t.lane, value: current ? current.id : "",
        options: options, help: t.laneHelp,
        onCommit: function (value) { if (value) self.moveToLane(element, self.registry.get(value)); }})]);
  };

  /* A task belongs to the lane its shape sits in: move it there, bpmn-js updates the refs.
   * It lands next to the border it crossed, off the row of the lane's own tasks. */
  StudioPanel.prototype.moveToLane = function (element, lane) {
    var margin = 20, target;
    if (lane.height < element.height + 2 * margin) {
      target = lane.y + (lane.height - element.height) / 2;
    } else if (lane.y < element.y) {
      target = lane.y + lane.height - element.height - margin;
    } else {
      target = lane.y + margin;
    }
    var delta = Math.round(target - element.y);
    if (delta) this.modeling.moveElements([element], { x: 0, y: delta });
  };

  StudioPanel.prototype.userTaskGroup = function (element, bo) {
    var self = this, t = this.t, ext = this.ext;
    var form = ext.property(bo, "formJsonSchemaFilename");
    var options = [{ value: "", label: t.genericForm }];
    this.config.forms.forEach(function (f) { options.push({ value: f.name, label: f.title + " (" + f.name + ")" }); });
    if (form && !this.config.forms.some(function (f) { return f.name === form; })) {
      options.push({ value: form, label: t.missingForm + ": " + form });
    }
    var links = el("div", { className: "d-flex gap-2 mb-3" }, [
      form ? el("a", { className: "btn btn-sm btn-outline-secondary", id: "edit-form-link", target: "_blank",
                       href: this.config.urls.formEdit.replace("__NAME__", encodeURIComponent(form)) }, [
        el("i", { className: "bi bi-pencil-square me-1" }), document.createTextNode(t.editForm)]) : null,
      el("a", { className: "btn btn-sm btn-outline-secondary", target: "_blank", href: this.config.urls.formNew }, [
        el("i", { className: "bi bi-plus-lg me-1" }), document.createTextNode(t.newForm)])]);
    return F.group(t.userTask, "bi-ui-checks", [
      this.fields.select({ id: "prop-form", label: t.form, value: form, options: options,
        onCommit: function (value) { ext.setProperty(element, bo, "formJsonSchemaFilename", value); }}),
      links,
      this.fields.text({ id: "prop-due", label: t.dueIn, value: ext.property(bo, "dueIn"), mono: true,
        placeholder: "P3D", pattern: DURATION, invalid: t.dueInInvalid, help: t.dueInHelp,
        onCommit: function (value) { ext.setProperty(element, bo, "dueIn", value); }}),
      this.fields.text({ id: "prop-assignee", label: t.assignee, value: ext.property(bo, "assignee"),
        mono: true, help: t.assigneeHelp,
        onCommit: function (value) { ext.setProperty(element, bo, "assignee", value); }})]);
  };

  StudioPanel.prototype.scriptGroup = function (element, bo) {
    var self = this, t = this.t;
    return F.group(t.script, "bi-code-slash", [
      this.fields.code({ id: "prop-script", label: t.script, value: bo.script, rows: 6, help: t.scriptHelp,
        onCommit: function (value) {
          self.modeling.updateProperties(element, { script: value || undefined, scriptFormat: "python" });
        }})]);
  };

  StudioPanel.prototype.setCondition = function (flow, value) {
    var expression;
    if (value.trim()) {
      expression = this.moddle.create("bpmn:FormalExpression", { body: value });
    }
    this.modeling.updateProperties(flow, { conditionExpression: expression });
  };

  /* The drawn connections: files from other tools often leave out bpmn:outgoing. */
  StudioPanel.prototype.outgoing = function (element) {
    return (element.outgoing || []).filter(function (c) { return c.type === "bpmn:SequenceFlow"; })
      .map(function (c) { return c.businessObject; });
  };

  StudioPanel.prototype.gatewayGroup = function (element, bo) {
    var self = this, t = this.t;
    var children = [];
    var outgoing = this.outgoing(element);
    outgoing.forEach(function (flowBo) {
      var flow = self.registry.get(flowBo.id);
      var isDefault = bo.default === flowBo;
      var target = flowBo.targetRef ? (flowBo.targetRef.name || flowBo.targetRef.id) : "?";
      var label = (flowBo.name ? flowBo.name + " → " : "→ ") + target;
      if (isDefault) {
        children.push(el("div", { className: "mb-3 small" }, [
          el("div", { className: "fw-semibold", text: label }),
          el("span", { className: "badge text-bg-secondary", text: t.defaultFlow })]));
        return;
      }
      children.push(self.fields.code({ id: "prop-condition-" + flowBo.id, label: label, rows: 2,
        value: flowBo.conditionExpression ? flowBo.conditionExpression.body : "",
        placeholder: "amount > 100",
        onCommit: function (value) { self.setCondition(flow, value); }}));
    });
    var options = [{ value: "", label: t.noDefault }].concat(outgoing.map(function (f) {
      return { value: f.id, label: (f.name || f.id) };
    }));
    children.push(this.fields.select({ id: "prop-default", label: t.defaultFlow,
      value: bo.default ? bo.default.id : "", options: options, help: t.defaultHelp,
      onCommit: function (value) {
        var flow = value ? self.registry.get(value) : null;
        self.modeling.updateProperties(element, { "default": flow ? flow.businessObject : undefined });
      }}));
    return F.group(t.conditions, "bi-signpost-split", children);
  };

  StudioPanel.prototype.flowGroup = function (element, bo) {
    var self = this, t = this.t;
    var source = bo.sourceRef;
    if (!source || !(source.$instanceOf("bpmn:ExclusiveGateway") || source.$instanceOf("bpmn:InclusiveGateway"))) {
      return null;
    }
    if (source.default === bo) {
      return F.group(t.condition, "bi-signpost", [el("p", { className: "small text-secondary", text: t.isDefault })]);
    }
    return F.group(t.condition, "bi-signpost", [
      this.fields.code({ id: "prop-condition", label: t.condition, rows: 3, placeholder: "amount > 100",
        value: bo.conditionExpression ? bo.conditionExpression.body : "", help: t.conditionHelp,
        onCommit: function (value) { self.setCondition(element, value); }})]);
  };

  window.StudioPanel = StudioPanel;
})();
