"""A small writer for laid-out BPMN diagrams: nodes on a grid of lanes and columns, boundary timers with their
warning / escalation tails under the task they watch, straight-elbow edges. Used by gen_enforcement_diagrams.py
to produce bpmn/rectification.bpmn, bpmn/criminal_transfer.bpmn and bpmn/crime_screening.bpmn; the output is
ordinary BPMN 2.0 that any modeler opens and edits (after which the file, not this script, is the source).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL_W = 190          # one grid column
LANE_H = 330         # one lane: a row of nodes and, under it, the timer tails
LEFT = 160           # where the first column starts (after the pool and lane labels)
TOP = 60
SIZES = {"userTask": (120, 80), "scriptTask": (120, 80), "businessRuleTask": (120, 80), "receiveTask": (120, 80),
         "startEvent": (36, 36), "endEvent": (36, 36), "intermediateThrowEvent": (36, 36),
         "exclusiveGateway": (50, 50)}


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: int
    col: float
    row: float = 0          # 0: the main row of the lane; 1, 2: below it
    body: str = ""          # inner XML after incoming/outgoing (script, event definition, ...)
    ext: str = ""           # extensionElements content
    attrs: dict = field(default_factory=dict)
    incoming: list = field(default_factory=list)
    outgoing: list = field(default_factory=list)

    def bounds(self):
        w, h = SIZES[self.kind]
        cx = LEFT + self.col * COL_W + 60
        cy = TOP + self.lane * LANE_H + 80 + self.row * 95
        return cx - w / 2, cy - h / 2, w, h


@dataclass
class Boundary:
    id: str
    name: str
    attached: Node
    slot: int
    timer: str
    interrupting: bool
    props: dict
    outgoing: list = field(default_factory=list)

    def bounds(self):
        x, y, w, h = self.attached.bounds()
        return x + 4 + self.slot * 42, y + h - 18, 36, 36


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""


def _props(props: dict) -> str:
    if not props:
        return ""
    inner = "".join(f'<spiffworkflow:property name="{k}" value={quoteattr(v)} />' for k, v in props.items())
    return f"<spiffworkflow:properties>{inner}</spiffworkflow:properties>"


class Diagram:
    def __init__(self, process_id: str, name: str, lanes: list[tuple[str, str]], documentation: str = ""):
        self.process_id, self.name, self.lanes, self.documentation = process_id, name, lanes, documentation
        self.nodes: dict[str, Node] = {}
        self.boundaries: dict[str, Boundary] = {}
        self.flows: list[Flow] = []
        self.messages: dict[str, str] = {}
        self.escalation = False

    # -- nodes ------------------------------------------------------------------------------------------
    def node(self, id, kind, name, lane, col, row=0, body="", ext="", **attrs) -> Node:
        node = Node(id, kind, name, lane, col, row, body, ext, attrs)
        self.nodes[id] = node
        return node

    def start(self, id, name, lane, col):
        return self.node(id, "startEvent", name, lane, col)

    def end(self, id, name, lane, col, row=0):
        return self.node(id, "endEvent", name, lane, col, row)

    def user(self, id, name, lane, col, form, row=0, **props):
        return self.node(id, "userTask", name, lane, col, row, ext=_props({"formId": form, **props}))

    def script(self, id, name, lane, col, code, row=0):
        return self.node(id, "scriptTask", name, lane, col, row, body=f"<bpmn:script>{escape(code)}</bpmn:script>")

    def gateway(self, id, name, lane, col, row=0, default=None):
        attrs = {"default": default} if default else {}
        return self.node(id, "exclusiveGateway", name, lane, col, row, **attrs)

    def receive(self, id, name, lane, col, message, variable, row=0):
        self.messages[message] = f"msg_{message}"
        return self.node(id, "receiveTask", name, lane, col, row,
                         ext=f"<spiffworkflow:messageVariable>{variable}</spiffworkflow:messageVariable>",
                         messageRef=f"msg_{message}")

    def rule_task(self, id, name, lane, col, decision):
        return self.node(id, "businessRuleTask", name, lane, col,
                         ext=f"<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>")

    def flow(self, source, target, name="", condition="", id=None):
        flow = Flow(id or f"flow_{source}_{target}", source, target, name, condition)
        self.flows.append(flow)
        self._endpoint(source).outgoing.append(flow.id)
        if target in self.nodes:
            self.nodes[target].incoming.append(flow.id)
        return flow

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    def _endpoint(self, id):
        return self.nodes.get(id) or self.boundaries[id]

    # -- deadlines: warning, deadline (level-1 escalation), level-2 escalation ---------------------------
    def deadline_timers(self, task_id: str, rule: str, start: str, label: str, for_task: bool = True,
                        police_side: bool = False):
        """The three timers every statutory deadline has (bpmn/README.md): a warning before it, the deadline
        (level-1 escalation to the unit's supervisors) and the level-2 escalation to the unit above.
        `rule` and `start` are expressions (a rule id in quotes, or a variable naming one)."""
        task = self.nodes[task_id]
        self.escalation = True
        warn_target = "supervisors" if police_side else "assignee"
        specs = [
            (f"warn_{task_id}", f"{label}预警", f"warning_time({rule}, {start})",
             {"alertLevel": "warning", "alertTarget": warn_target}),
            (f"due_{task_id}", f"{label}届满", f"deadline({rule}, {start})", {}),
            (f"esc2_{task_id}", f"{label}二级督办", f"escalation_time({rule}, {start}, 2)",
             {"alertLevel": "escalation2", "alertTarget": "parent_supervisors"}),
        ]
        for slot, (bid, name, expr, props) in enumerate(specs):
            self.boundaries[bid] = Boundary(bid, name, task, slot, expr, False, props)
        lane, col = task.lane, task.col
        self.end(f"end_warned_{task_id}", "已预警", lane, col - 0.25, row=1.3)
        esc_props = {"alertLevel": "escalation1", "alertTarget": "supervisors"}
        if for_task:
            esc_props["forTask"] = task_id
        self.node(f"escalate_{task_id}", "intermediateThrowEvent", f"{label}逾期督办", lane, col + 0.05, row=1.3,
                  ext=_props(esc_props),
                  body=f'<bpmn:escalationEventDefinition id="escalate_{task_id}_def" escalationRef="esc_overdue" />')
        self.end(f"end_escalated_{task_id}", "已督办", lane, col + 0.05, row=2.2)
        self.end(f"end_escalated2_{task_id}", "已二级督办", lane, col + 0.35, row=1.3)
        self.flow(f"warn_{task_id}", f"end_warned_{task_id}")
        self.flow(f"due_{task_id}", f"escalate_{task_id}")
        self.flow(f"escalate_{task_id}", f"end_escalated_{task_id}")
        self.flow(f"esc2_{task_id}", f"end_escalated2_{task_id}")

    def timer(self, id, name, task_id, expr, slot=0, interrupting=True, **props):
        self.boundaries[id] = Boundary(id, name, self.nodes[task_id], slot, expr, interrupting, props)

    # -- output -------------------------------------------------------------------------------------------
    def _lane_of(self, id):
        if id in self.nodes:
            return self.nodes[id].lane
        return self.boundaries[id].attached.lane

    def xml(self) -> str:
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
               '                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"',
               '                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"',
               '                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"',
               '                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
               '                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
               f'                  id="{self.process_id}_definitions" targetNamespace="http://example.org/wfs/{self.process_id}">']
        if self.escalation:
            out.append('  <bpmn:escalation id="esc_overdue" name="办理逾期" escalationCode="overdue" />')
        for name, mid in sorted(self.messages.items()):
            out.append(f'  <bpmn:message id="{mid}" name="{name}" />')
        out.append(f'  <bpmn:collaboration id="{self.process_id}_collaboration">')
        out.append(f'    <bpmn:participant id="{self.process_id}_participant" name={quoteattr(self.name)} '
                   f'processRef="{self.process_id}" />')
        out.append('  </bpmn:collaboration>')
        out.append(f'  <bpmn:process id="{self.process_id}" name={quoteattr(self.name)} isExecutable="true">')
        if self.documentation:
            out.append(f'    <bpmn:documentation>{escape(self.documentation)}</bpmn:documentation>')
        out.append(f'    <bpmn:laneSet id="{self.process_id}_lanes">')
        for index, (lane_id, lane_name) in enumerate(self.lanes):
            refs = [n.id for n in self.nodes.values() if n.lane == index]
            refs += [b.id for b in self.boundaries.values() if b.attached.lane == index]
            out.append(f'      <bpmn:lane id="{lane_id}" name={quoteattr(lane_name)}>')
            out += [f'        <bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>' for r in refs]
            out.append('      </bpmn:lane>')
        out.append('    </bpmn:laneSet>')
        for node in self.nodes.values():
            attrs = "".join(f' {k}={quoteattr(str(v))}' for k, v in node.attrs.items())
            out.append(f'    <bpmn:{node.kind} id="{node.id}" name={quoteattr(node.name)}{attrs}>')
            if node.ext:
                out.append(f'      <bpmn:extensionElements>{node.ext}</bpmn:extensionElements>')
            out += [f'      <bpmn:incoming>{f}</bpmn:incoming>' for f in node.incoming]
            out += [f'      <bpmn:outgoing>{f}</bpmn:outgoing>' for f in node.outgoing]
            if node.body:
                out.append(f'      {node.body}')
            out.append(f'    </bpmn:{node.kind}>')
        for b in self.boundaries.values():
            cancel = "true" if b.interrupting else "false"
            out.append(f'    <bpmn:boundaryEvent id="{b.id}" name={quoteattr(b.name)} cancelActivity="{cancel}" '
                       f'attachedToRef="{b.attached.id}">')
            if b.props:
                out.append(f'      <bpmn:extensionElements>{_props(b.props)}</bpmn:extensionElements>')
            out += [f'      <bpmn:outgoing>{f}</bpmn:outgoing>' for f in b.outgoing]
            out.append(f'      <bpmn:timerEventDefinition id="{b.id}_timer"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                       f'{escape(b.timer)}</bpmn:timeDate></bpmn:timerEventDefinition>')
            out.append('    </bpmn:boundaryEvent>')
        for f in self.flows:
            name = f" name={quoteattr(f.name)}" if f.name else ""
            if f.condition:
                out.append(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}">')
                out.append(f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f.condition)}'
                           '</bpmn:conditionExpression>')
                out.append('    </bpmn:sequenceFlow>')
            else:
                out.append(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}" />')
        out.append('  </bpmn:process>')
        out += self._di()
        out.append('</bpmn:definitions>')
        return "\n".join(out) + "\n"

    def _di(self) -> list[str]:
        cols = max(n.col for n in self.nodes.values()) + 1.6
        width = int(LEFT + cols * COL_W)
        height = LANE_H * len(self.lanes)
        out = ['  <bpmndi:BPMNDiagram id="BPMNDiagram_1">',
               f'    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="{self.process_id}_collaboration">',
               f'      <bpmndi:BPMNShape id="{self.process_id}_participant_di" bpmnElement="{self.process_id}_participant" isHorizontal="true">',
               f'        <dc:Bounds x="60" y="{TOP}" width="{width}" height="{height}" />',
               '      </bpmndi:BPMNShape>']
        for index, (lane_id, _) in enumerate(self.lanes):
            out += [f'      <bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">',
                    f'        <dc:Bounds x="90" y="{TOP + index * LANE_H}" width="{width - 30}" height="{LANE_H}" />',
                    '      </bpmndi:BPMNShape>']
        for node in self.nodes.values():
            x, y, w, h = node.bounds()
            marker = ' isMarkerVisible="true"' if node.kind == "exclusiveGateway" else ""
            out += [f'      <bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}"{marker}>',
                    f'        <dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" />']
            if node.kind not in ("userTask", "scriptTask", "businessRuleTask", "receiveTask"):
                out += ['        <bpmndi:BPMNLabel>',
                        f'          <dc:Bounds x="{x - 12:.0f}" y="{y + h + 4:.0f}" width="{w + 24}" height="28" />',
                        '        </bpmndi:BPMNLabel>']
            out.append('      </bpmndi:BPMNShape>')
        for b in self.boundaries.values():
            x, y, w, h = b.bounds()
            out += [f'      <bpmndi:BPMNShape id="{b.id}_di" bpmnElement="{b.id}">',
                    f'        <dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" />',
                    '      </bpmndi:BPMNShape>']
        for f in self.flows:
            out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">')
            out += [f'        <di:waypoint x="{px:.0f}" y="{py:.0f}" />' for px, py in self._route(f)]
            out.append('      </bpmndi:BPMNEdge>')
        out += ['    </bpmndi:BPMNPlane>', '  </bpmndi:BPMNDiagram>']
        return out

    def _box(self, id):
        item = self.nodes.get(id) or self.boundaries[id]
        return item.bounds()

    def _route(self, f: Flow):
        sx, sy, sw, sh = self._box(f.source)
        tx, ty, tw, th = self._box(f.target)
        if f.source in self.boundaries:  # down from the boundary event, then across
            start = (sx + sw / 2, sy + sh)
            end = (tx + tw / 2, ty)
            if abs(start[0] - end[0]) < 1:
                return [start, end]
            return [start, (start[0], ty - 12), (end[0], ty - 12), end]
        if tx > sx + sw:  # forward
            start = (sx + sw, sy + sh / 2)
            end = (tx, ty + th / 2)
            if abs(start[1] - end[1]) < 1:
                return [start, end]
            mid = (start[0] + end[0]) / 2
            return [start, (mid, start[1]), (mid, end[1]), end]
        # backwards (a loop): over the top of the lane
        lane_top = TOP + self._lane_of(f.target) * LANE_H + 12
        start = (sx + sw / 2, sy)
        end = (tx + tw / 2, ty)
        return [start, (start[0], lane_top), (end[0], lane_top), end]
