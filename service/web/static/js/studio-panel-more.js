/* The properties panel, continued: events (timers, messages), call activities, decisions,
 * service tasks, multi-instance and pre/post-scripts. Loaded after studio-panel.js. */
(function () {
  "use strict";

  var F = window.LPStudioFields;
  var el = F.el;
  var StudioPanel = window.StudioPanel;
  var TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];

  StudioPanel.prototype.definition = function (bo, type) {
    return (bo.get("eventDefinitions") || []).find(function (d) { return d.$type === type; });
  };

  StudioPanel.prototype.timerGroup = function (element, timer) {
    var self = this, t = this.t;
    var kind = TIMER_KINDS.find(function (k) { return timer[k]; }) || "timeDuration";
    var value = timer[kind] ? timer[kind].body : "";
    function write(newKind, newValue) {
      var props = {};
      TIMER_KINDS.forEach(function (k) { props[k] = undefined; });
      if (newValue) props[newKind] = self.moddle.create("bpmn:FormalExpression", { body: newValue });
      self.modeling.updateModdleProperties(element, timer, props);
    }
    return F.group(t.timer, "bi-alarm", [
      this.fields.select({ id: "prop-timer-kind", label: t.timerKind, value: kind,
        options: [{ value: "timeDuration", label: t.timeDuration }, { value: "timeDate", label: t.timeDate },
                  { value: "timeCycle", label: t.timeCycle }],
        onCommit: function (newKind) { kind = newKind; write(newKind, value); }}),
      this.fields.text({ id: "prop-timer", label: t.timerValue, value: value, mono: true,
        placeholder: "\"P3D\"", help: t.timerHelp,
        onCommit: function (newValue) { value = newValue; write(kind, newValue); }})]);
  };

  StudioPanel.prototype.messageTarget = function (bo) {
    if (bo.$instanceOf("bpmn:ReceiveTask") || bo.$instanceOf("bpmn:SendTask")) return bo;
    return bo.$instanceOf("bpmn:Event") ? this.definition(bo, "bpmn:MessageEventDefinition") : null;
  };

  StudioPanel.prototype.message = function (element, name) {
    var definitions = this.modeler.getDefinitions();
    var roots = definitions.get("rootElements");
    var found = roots.find(function (r) { return r.$type === "bpmn:Message" && r.name === name; });
    if (found) return found;
    var message = this.modeler.get("bpmnFactory").create("bpmn:Message", { name: name });
    message.$parent = definitions;
    this.modeling.updateModdleProperties(element, definitions, { rootElements: roots.concat([message]) });
    return message;
  };

  StudioPanel.prototype.messageGroup = function (element, bo) {
    var self = this, t = this.t, ext = this.ext;
    var target = this.messageTarget(bo);
    var catching = bo.$instanceOf("bpmn:CatchEvent") || bo.$instanceOf("bpmn:ReceiveTask");
    var names = this.modeler.getDefinitions().get("rootElements")
      .filter(function (r) { return r.$type === "bpmn:Message" && r.name; })
      .map(function (r) { return el("option", { value: r.name }); });
    var children = [
      el("datalist", { id: "message-names" }, names),
      this.fields.text({ id: "prop-message", label: t.messageName, list: "message-names", mono: true,
        value: target.messageRef ? target.messageRef.name : "", help: t.messageHelp,
        onCommit: function (value) {
          self.modeling.updateModdleProperties(element, target, {
            messageRef: value ? self.message(element, value) : undefined});
        }})];
    if (catching) {
      children.push(this.fields.text({ id: "prop-message-variable", label: t.messageVariable, mono: true,
        value: ext.body(target, "spiffworkflow:MessageVariable"), placeholder: "result",
        onCommit: function (value) { ext.setBody(element, target, "spiffworkflow:MessageVariable", value); }}));
      children.push(this.fields.text({ id: "prop-correlation", label: t.correlationKey, mono: true,
        value: ext.property(bo, "correlationKey"), help: t.correlationHelp,
        onCommit: function (value) { ext.setProperty(element, bo, "correlationKey", value); }}));
    } else {
      children.push(this.fields.code({ id: "prop-message-payload", label: t.messagePayload, rows: 2,
        value: ext.body(target, "spiffworkflow:MessagePayload"),
        onCommit: function (value) { ext.setBody(element, target, "spiffworkflow:MessagePayload", value); }}));
    }
    return F.group(t.message, "bi-envelope", children);
  };

  StudioPanel.prototype.callGroup = function (element, bo) {
    var self = this, t = this.t;
    var options = this.config.processes.map(function (key) { return el("option", { value: key }); });
    return F.group(t.callActivity, "bi-box-arrow-in-right", [
      el("datalist", { id: "process-keys" }, options),
      this.fields.text({ id: "prop-called", label: t.calledElement, value: bo.calledElement, mono: true,
        list: "process-keys", help: t.calledHelp,
        onCommit: function (value) { self.modeling.updateProperties(element, { calledElement: value || undefined }); }})]);
  };

  StudioPanel.prototype.decisionGroup = function (element, bo) {
    var t = this.t, ext = this.ext;
    var options = this.config.decisions.map(function (id) { return el("option", { value: id }); });
    return F.group(t.decision, "bi-table", [
      el("datalist", { id: "decision-ids" }, options),
      this.fields.text({ id: "prop-decision", label: t.decisionId, mono: true, list: "decision-ids",
        value: ext.body(bo, "spiffworkflow:CalledDecisionId"),
        onCommit: function (value) { ext.setBody(element, bo, "spiffworkflow:CalledDecisionId", value); }})]);
  };

  StudioPanel.prototype.serviceGroup = function (element, bo) {
    var self = this, t = this.t, ext = this.ext;
    var operator = ext.find(bo, "spiffworkflow:ServiceTaskOperator");
    var params = operator && operator.parameterList ? operator.parameterList.get("parameters") : [];
    var rows = params.map(function (p) {
      return el("li", { className: "small font-monospace", text: p.id + " = " + (p.value || "") });
    });
    return F.group(t.service, "bi-gear", [
      this.fields.text({ id: "prop-operator", label: t.operator, mono: true, value: operator ? operator.id : "",
        onCommit: function (value) {
          if (operator) self.modeling.updateModdleProperties(element, operator, { id: value || undefined });
          else if (value) ext._add(element, bo, self.moddle.create("spiffworkflow:ServiceTaskOperator", { id: value }));
        }}),
      rows.length ? el("ul", { className: "ps-3 mb-3" }, rows) : null]);
  };

  StudioPanel.prototype.stub = function (id) {
    // The collection is a variable name: bpmn-js writes a reference as its target's id.
    return id ? this.moddle.create("bpmn:ItemAwareElement", { id: id }) : undefined;
  };

  StudioPanel.prototype.multiInstanceGroup = function (element, bo) {
    var self = this, t = this.t;
    var loop = bo.loopCharacteristics;
    var multi = loop && loop.$type === "bpmn:MultiInstanceLoopCharacteristics" ? loop : null;
    var children = [this.fields.select({ id: "prop-multi", label: t.repeat,
      value: multi ? (multi.isSequential ? "sequential" : "parallel") : "",
      options: [{ value: "", label: t.once }, { value: "parallel", label: t.parallel },
                { value: "sequential", label: t.sequential }],
      onCommit: function (value) {
        if (!value) { self.modeling.updateProperties(element, { loopCharacteristics: undefined }); return; }
        if (multi) { self.modeling.updateModdleProperties(element, multi, { isSequential: value === "sequential" }); return; }
        var created = self.moddle.create("bpmn:MultiInstanceLoopCharacteristics", { isSequential: value === "sequential" });
        self.modeling.updateProperties(element, { loopCharacteristics: created });
      }})];
    if (multi) {
      var item = function (name) {
        return name ? self.moddle.create("bpmn:DataInput", { id: name, name: name }) : undefined;
      };
      children.push(this.fields.text({ id: "prop-collection", label: t.collection, mono: true,
        value: multi.loopDataInputRef ? multi.loopDataInputRef.id : "", placeholder: "items", help: t.collectionHelp,
        onCommit: function (value) { self.modeling.updateModdleProperties(element, multi, { loopDataInputRef: self.stub(value) }); }}));
      children.push(this.fields.text({ id: "prop-element-variable", label: t.elementVariable, mono: true,
        value: multi.inputDataItem ? (multi.inputDataItem.id || multi.inputDataItem.name) : "", placeholder: "item",
        onCommit: function (value) { self.modeling.updateModdleProperties(element, multi, { inputDataItem: item(value) }); }}));
      children.push(this.fields.text({ id: "prop-output-collection", label: t.outputCollection, mono: true,
        value: multi.loopDataOutputRef ? multi.loopDataOutputRef.id : "", placeholder: "results",
        onCommit: function (value) { self.modeling.updateModdleProperties(element, multi, { loopDataOutputRef: self.stub(value) }); }}));
      children.push(this.fields.text({ id: "prop-output-item", label: t.outputItem, mono: true,
        value: multi.outputDataItem ? (multi.outputDataItem.id || multi.outputDataItem.name) : "", placeholder: "result",
        onCommit: function (value) { self.modeling.updateModdleProperties(element, multi, { outputDataItem: item(value) }); }}));
    }
    return F.group(t.multiInstance, "bi-layers", children);
  };

  StudioPanel.prototype.scriptsGroup = function (element, bo) {
    var t = this.t, ext = this.ext;
    var pre = ext.body(bo, "spiffworkflow:PreScript"), post = ext.body(bo, "spiffworkflow:PostScript");
    var details = el("details", { className: "lp-panel-group", open: !!(pre || post) }, [
      el("summary", { className: "lp-panel-group-title" }, [
        el("i", { className: "bi bi-braces me-1" }), document.createTextNode(t.prePostScripts)]),
      this.fields.code({ id: "prop-prescript", label: t.preScript, value: pre, rows: 3,
        onCommit: function (value) { ext.setBody(element, bo, "spiffworkflow:PreScript", value); }}),
      this.fields.code({ id: "prop-postscript", label: t.postScript, value: post, rows: 3,
        onCommit: function (value) { ext.setBody(element, bo, "spiffworkflow:PostScript", value); }})]);
    return details;
  };
})();
