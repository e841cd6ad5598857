/* The spiffworkflow: BPMN extensions as a moddle descriptor, so bpmn-js reads and writes them.
 * Every element SpiffWorkflow 3.2 (and spiff-arena) writes is listed: bpmn-js drops extension
 * elements of a known namespace whose type it does not know. */
(function () {
  "use strict";

  function body(name) {
    return { name: name, superClass: ["Element"],
             properties: [{ name: "value", type: "String", isBody: true }] };
  }

  function attrs(name, names) {
    return { name: name, superClass: ["Element"],
             properties: names.map(function (n) { return { name: n, type: "String", isAttr: true }; }) };
  }

  window.LP_SPIFF_MODDLE = {
    name: "SpiffWorkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    prefix: "spiffworkflow",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      attrs("Property", ["name", "value"]),
      body("PreScript"),
      body("PostScript"),
      body("MessageVariable"),
      body("MessagePayload"),
      body("CalledDecisionId"),
      body("InstructionsForEndUser"),
      body("AllowGuest"),
      body("GuestConfirmation"),
      body("SignalButtonLabel"),
      body("SignalPayload"),
      { name: "ServiceTaskOperator", superClass: ["Element"],
        properties: [
          { name: "id", type: "String", isAttr: true },
          { name: "resultVariable", type: "String", isAttr: true },
          { name: "parameterList", type: "Parameters" },
          { name: "retry", type: "Retry" }] },
      { name: "Parameters", superClass: ["Element"],
        properties: [{ name: "parameters", type: "Parameter", isMany: true }] },
      attrs("Parameter", ["id", "type", "value"]),
      attrs("Retry", ["retries", "backoff_base"]),
      { name: "UnitTests", superClass: ["Element"],
        properties: [{ name: "unitTests", type: "UnitTest", isMany: true }] },
      { name: "UnitTest", superClass: ["Element"],
        properties: [
          { name: "id", type: "String", isAttr: true },
          { name: "inputJson", type: "String" },
          { name: "expectedOutputJson", type: "String" }] },
      { name: "ProcessVariableCorrelation", superClass: ["Element"],
        properties: [
          { name: "propertyId", type: "String" },
          { name: "expression", type: "String" }] },
      { name: "TaskMetadataValues", superClass: ["Element"],
        properties: [{ name: "values", type: "TaskMetadataValue", isMany: true }] },
      attrs("TaskMetadataValue", ["name", "value"]),
      { name: "ScriptsOnInstances", extends: ["bpmn:MultiInstanceLoopCharacteristics"],
        properties: [{ name: "scriptsOnInstances", type: "Boolean", isAttr: true }] }
    ]
  };
})();
