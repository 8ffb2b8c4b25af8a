"""Every diagram opens cleanly in a BPMN modeler: read with bpmn-moddle (the parser of bpmn-js), no warnings,
a shape for every element, no overlapping shapes."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIAGRAMS = sorted((ROOT / "bpmn").glob("*.bpmn")) + sorted((ROOT / "tests" / "data").rglob("*.bpmn"))


def _check(paths):
    if shutil.which("node") is None or not (ROOT / "node_modules" / "bpmn-moddle").is_dir():
        pytest.skip("node or node_modules/bpmn-moddle missing: run `make test` (it runs npm install)")
    result = subprocess.run(["node", str(ROOT / "scripts" / "check_diagrams.mjs"), *map(str, paths)],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: p.name)
def test_diagram_opens_cleanly_in_a_modeler(diagram):
    [report] = _check([diagram])
    assert report["warnings"] == []
    assert report["missing"] == []
    assert report["overlaps"] == []


def test_the_check_catches_a_shape_missing_from_the_layout(tmp_path):
    text = (ROOT / "tests" / "data" / "fixture" / "fixture_review.bpmn").read_text(encoding="utf-8")
    broken = tmp_path / "broken.bpmn"
    start = text.index('<bpmndi:BPMNShape id="approve_di"')
    end = text.index("</bpmndi:BPMNShape>", start) + len("</bpmndi:BPMNShape>")
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    [report] = _check([broken])
    assert report["missing"] == ["approve"]
