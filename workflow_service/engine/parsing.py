"""Parse and validate BPMN/DMN files into deployable process bundles.

Deploying BPMN is deploying code (its scripts run in the engine's evaluator, which is not a sandbox), so
only platform operators deploy, and the XML itself is parsed defensively: no entities, no network, bounded size.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import StartEvent, UserTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask as SpiffUserTask

from .serialization import spec_registry

MAX_FILE_BYTES = 2 * 1024 * 1024
_NO_DTD = "DOCTYPE and ENTITY declarations are not allowed (XML entities are refused)"


class DefinitionError(Exception):
    """A BPMN/DMN file that cannot be deployed; `problems` lists what is wrong, per file."""

    def __init__(self, message: str, problems: list[dict]):
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class UserTaskInfo:
    bpmn_id: str
    name: str
    lane: str | None
    properties: dict


@dataclass
class ProcessBundle:
    """One executable process with every spec it calls, ready to store once and share by all its instances."""

    process_id: str
    name: str
    specs: dict                      # {"spec": ..., "subprocess_specs": {...}} as JSON-ready dicts
    content_hash: str
    user_tasks: list[UserTaskInfo] = field(default_factory=list)
    source_files: dict = field(default_factory=dict)
    # The form a person fills to start the process by hand (the start event's property startFormId); None for a
    # process only its domain starts (a case is filed, a transfer opened), never through the generic start.
    start_form_id: str | None = None


def _safe_xml(content: bytes, filename: str) -> etree._Element:
    if len(content) > MAX_FILE_BYTES:
        raise DefinitionError("file too large", [{"file": filename, "error": f"larger than {MAX_FILE_BYTES} bytes"}])
    # BPMN and DMN never need a DTD. Refuse one outright, before parsing: resolve_entities=False does not
    # stop libxml2 from expanding internal entities in attribute values ("billion laughs"), and its own
    # amplification guard only reports an obscure parse error.
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise DefinitionError("DTD refused", [{"file": filename, "error": _NO_DTD}])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError("malformed XML", [{"file": filename, "error": str(exc)}]) from exc
    if root is None:
        raise DefinitionError("empty document", [{"file": filename, "error": "no root element"}])
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a UTF-16 file the byte check cannot see
        raise DefinitionError("DTD refused", [{"file": filename, "error": _NO_DTD}])
    for node in root.iter(etree.Entity):  # pragma: no cover - entities are not resolved, refuse them outright
        raise DefinitionError("entities refused", [{"file": filename, "error": "XML entities are not allowed"}])
    return root


def parse_package(files: dict[str, bytes]) -> list[ProcessBundle]:
    """Parse every *.bpmn and *.dmn of a package; return one bundle per executable process.

    Raises DefinitionError with every problem found, so an author can fix them in one go.
    """
    parser = SpiffBpmnParser(validator=BpmnValidator())
    problems: list[dict] = []
    bpmn_files = {n: c for n, c in files.items() if n.endswith(".bpmn")}
    dmn_files = {n: c for n, c in files.items() if n.endswith(".dmn")}
    if not bpmn_files:
        raise DefinitionError("no BPMN file", [{"file": None, "error": "a package needs at least one .bpmn file"}])
    # DMN first: business rule tasks look their decisions up while the processes are parsed.
    for name, content in sorted(dmn_files.items()):
        try:
            parser.add_dmn_xml(_safe_xml(content, name), filename=name)
        except DefinitionError as exc:
            problems.extend(exc.problems)
        except (ValidationException, Exception) as exc:  # the parser raises several kinds
            problems.append({"file": name, "error": str(exc)})
    for name, content in sorted(bpmn_files.items()):
        try:
            parser.add_bpmn_xml(_safe_xml(content, name), filename=name)
        except DefinitionError as exc:
            problems.extend(exc.problems)
        except (ValidationException, Exception) as exc:
            problems.append({"file": name, "error": str(exc)})
    if problems:
        raise DefinitionError("the process definitions are invalid", problems)

    bundles = []
    executable = _executable_process_ids(parser)
    for process_id in executable:
        try:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
        except Exception as exc:  # noqa: BLE001 - surfaced to the author with its file
            problems.append({"file": None, "process": process_id, "error": str(exc)})
            continue
        specs = {
            "spec": spec_registry.convert(spec),
            "subprocess_specs": {name: spec_registry.convert(s) for name, s in subprocess_specs.items()},
        }
        canonical = json.dumps(specs, sort_keys=True, ensure_ascii=False, default=str)
        bundles.append(ProcessBundle(
            process_id=process_id,
            name=spec.description or process_id,
            specs=specs,
            content_hash=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            user_tasks=_user_tasks(spec, subprocess_specs),
            start_form_id=_start_form(spec),
            source_files={n: c.decode("utf-8") for n, c in files.items()},
        ))
    if problems:
        raise DefinitionError("the process definitions are invalid", problems)
    return bundles


def _executable_process_ids(parser: SpiffBpmnParser) -> list[str]:
    ids = []
    for process_id in parser.get_process_ids():
        node = parser.get_process_parser(process_id).node
        if node.get("isExecutable", "true").lower() == "true":
            ids.append(process_id)
    return sorted(ids)


def _start_form(spec) -> str | None:
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, StartEvent):
            form = getattr(task_spec, "extensions", {}).get("properties", {}).get("startFormId")
            if form:
                return str(form)
    return None


def _user_tasks(spec, subprocess_specs) -> list[UserTaskInfo]:
    found = []
    for s in [spec, *subprocess_specs.values()]:
        for task_spec in s.task_specs.values():
            if isinstance(task_spec, (UserTask, SpiffUserTask)):
                found.append(UserTaskInfo(
                    bpmn_id=task_spec.bpmn_id,
                    name=task_spec.bpmn_name or task_spec.bpmn_id,
                    lane=task_spec.lane,
                    properties=dict(task_spec.extensions.get("properties", {})),
                ))
    return found


__all__ = ["DefinitionError", "ProcessBundle", "UserTaskInfo", "parse_package"]
