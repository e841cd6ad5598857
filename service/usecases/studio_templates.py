"""Diagrams a new process starts from: laid out, executable, one lane per role."""

from string import Template
from xml.sax.saxutils import escape, quoteattr

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_${key}">
    <bpmn:participant id="Participant_${key}" name=${name_attr} processRef="${key}" />
  </bpmn:collaboration>
"""

SIMPLE = Template(_HEAD + """  <bpmn:process id="${key}" name=${name_attr} isExecutable="true">
    <bpmn:laneSet id="LaneSet_${key}">
      <bpmn:lane id="Lane_advisor" name="advisor">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_first</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Start">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_first" name=${task_attr}>
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="dueIn" value="P3D" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1" name="End">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_first" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_first" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_${key}">
      <bpmndi:BPMNShape id="Participant_${key}_di" bpmnElement="Participant_${key}"
                        isHorizontal="true">
        <dc:Bounds x="160" y="80" width="600" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_advisor_di" bpmnElement="Lane_advisor" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="570" height="200" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="242" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_first_di" bpmnElement="Task_first">
        <dc:Bounds x="380" y="140" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="612" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="278" y="180" />
        <di:waypoint x="380" y="180" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="480" y="180" />
        <di:waypoint x="612" y="180" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""")

APPROVAL = Template(_HEAD + """  <bpmn:process id="${key}" name=${name_attr} isExecutable="true">
    <bpmn:laneSet id="LaneSet_${key}">
      <bpmn:lane id="Lane_advisor" name="advisor">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_request</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_city_president" name="city_president">
        <bpmn:flowNodeRef>Task_approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Start">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="Task_request" name=${task_attr}>
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="dueIn" value="P3D" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="Task_approve" name="Approve">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="dueIn" value="P2D" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming>
      <bpmn:outgoing>Flow_3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_1" name="End">
      <bpmn:incoming>Flow_3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_request" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_request" targetRef="Task_approve" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_approve" targetRef="EndEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_${key}">
      <bpmndi:BPMNShape id="Participant_${key}_di" bpmnElement="Participant_${key}"
                        isHorizontal="true">
        <dc:Bounds x="160" y="80" width="700" height="360" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_advisor_di" bpmnElement="Lane_advisor" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="670" height="180" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_city_president_di" bpmnElement="Lane_city_president"
                        isHorizontal="true">
        <dc:Bounds x="190" y="260" width="670" height="180" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="242" y="152" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_request_di" bpmnElement="Task_request">
        <dc:Bounds x="340" y="130" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_approve_di" bpmnElement="Task_approve">
        <dc:Bounds x="520" y="310" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="712" y="332" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="278" y="170" />
        <di:waypoint x="340" y="170" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="440" y="170" />
        <di:waypoint x="480" y="170" />
        <di:waypoint x="480" y="350" />
        <di:waypoint x="520" y="350" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3">
        <di:waypoint x="620" y="350" />
        <di:waypoint x="712" y="350" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
""")

TEMPLATES = {"simple": (SIMPLE, "First task"), "approval": (APPROVAL, "Submit request")}


def render_template(template: str, key: str, name: str) -> str:
    """Return the template's XML for a process key (already checked) and display name."""
    body, task_name = TEMPLATES[template]
    return body.substitute(key=escape(key), name_attr=quoteattr(name),
                           task_attr=quoteattr(task_name))
