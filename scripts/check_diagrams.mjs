// Reads BPMN files with bpmn-moddle, the parser bpmn-js imports diagrams with, and reports for each file
// the parser's warnings, the flow elements that have no diagram shape, and shapes that overlap
// (boundary events sit on their task's border by design and are not counted).
// Usage: node scripts/check_diagrams.mjs FILE... ; prints one JSON line per file.
import BpmnModdle from 'bpmn-moddle';
import fs from 'fs';

const NODE = /^bpmn:(Task|UserTask|ScriptTask|BusinessRuleTask|ServiceTask|CallActivity|SubProcess|StartEvent|EndEvent|IntermediateThrowEvent|IntermediateCatchEvent|ExclusiveGateway|ParallelGateway|InclusiveGateway|EventBasedGateway)$/;
const NEEDS_DI = /^bpmn:(SequenceFlow|Lane|Participant|BoundaryEvent)$/;

const moddle = new BpmnModdle();
for (const file of process.argv.slice(2)) {
  const { rootElement, warnings, elementsById } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
  const shapes = new Map();
  for (const diagram of rootElement.diagrams || []) {
    for (const el of diagram.plane.planeElement || []) {
      if (el.bpmnElement) shapes.set(el.bpmnElement.id, el);
    }
  }
  const elements = Object.values(elementsById);
  const missing = elements.filter(e => (NODE.test(e.$type) || NEEDS_DI.test(e.$type)) && !shapes.has(e.id)).map(e => e.id);
  const boxes = elements.filter(e => NODE.test(e.$type) && shapes.get(e.id)?.bounds)
    .map(e => ({ id: e.id, b: shapes.get(e.id).bounds }));
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, c = boxes[j].b;
      if (a.x < c.x + c.width && c.x < a.x + a.width && a.y < c.y + c.height && c.y < a.y + a.height) {
        overlaps.push([boxes[i].id, boxes[j].id]);
      }
    }
  }
  console.log(JSON.stringify({ file, warnings: warnings.map(w => w.message), missing, overlaps }));
}
