"""Expressions and scripts are compiled once per process (engine/runtime._CompilingEnvironment): each instance
still computes from its own data, and a script's error still names its line."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from workflow_service.engine.parsing import parse_package
from workflow_service.engine.runtime import Definition, Engine, EngineError

NOW = datetime(2026, 10, 12, 1, 0, tzinfo=timezone.utc)
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="compiled" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="l" name="承办人"><bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute"><bpmn:script>fine = amount * 2
ratio = 100 / amount</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="gate" />
    <bpmn:exclusiveGateway id="gate" default="small" />
    <bpmn:sequenceFlow id="large" sourceRef="gate" targetRef="check">
      <bpmn:conditionExpression>fine &gt;= 10000</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="gate" targetRef="end" />
    <bpmn:userTask id="check" name="审核" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture(scope="module")
def definition():
    [bundle] = parse_package({"compiled.bpmn": BPMN.encode()})
    return Definition(bundle.content_hash, bundle.specs)


def test_each_instance_computes_from_its_own_data(definition):
    engine = Engine()
    large = engine.start(definition, {"amount": 6000}, NOW)
    small = engine.start(definition, {"amount": 100}, NOW)
    again = engine.start(definition, {"amount": 7000}, NOW)
    assert [t.bpmn_id for t in large.ready_user_tasks] == ["check"] and large.data["fine"] == 12000
    assert small.completed and small.data["fine"] == 200 and small.data["ratio"] == 1
    assert [t.bpmn_id for t in again.ready_user_tasks] == ["check"] and again.data["fine"] == 14000


def test_a_script_error_names_its_line(definition):
    with pytest.raises(EngineError) as raised:
        Engine().start(definition, {"amount": 0}, NOW)
    assert "ZeroDivisionError" in str(raised.value)
    cause = raised.value.__cause__  # SpiffWorkflow's exception, found by the code's file name "<string>"
    assert (cause.line_number, cause.error_line) == (2, "ratio = 100 / amount")
