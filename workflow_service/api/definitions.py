from __future__ import annotations

import sqlalchemy as sa
from flask_smorest import Blueprint

from ..core.errors import Forbidden, NotFound
from ..extensions import db
from ..modules.processes.models import ProcessDefinition, ProcessInstance
from ..modules.processes.definitions import deploy_package
from ..modules.steps.starting import start_by_hand
from ..modules.processes.schemas import (DefinitionSchema, DeployArgs, DeployResultSchema, InstanceSchema, StartArgs,
                                         TimerSchema)
from ..modules.tasks.models import Task
from ..modules.tasks.schemas import TaskSchema
from ..modules.timers.models import Timer
from ..modules.users.models import Role
from ..modules.users.units import sees_unit
from .auth import current_api_user, requires_role

blp = Blueprint("processes", __name__, url_prefix="/api/v1", description="流程定义与实例 (processes)")


@blp.route("/process-definitions", methods=["GET"])
@blp.response(200, DefinitionSchema(many=True))
def definitions():
    """Deployed process definitions, newest version of each first."""
    current_api_user()
    return list(db.session.scalars(sa.select(ProcessDefinition)
                                   .order_by(ProcessDefinition.process_id, ProcessDefinition.is_latest.desc(),
                                             ProcessDefinition.id.desc())))


@blp.route("/process-definitions", methods=["POST"])
@requires_role(Role.platform_operator,
               message="仅平台运维人员可部署流程定义 (only platform operators deploy process definitions)")
@blp.arguments(DeployArgs)
@blp.response(201, DeployResultSchema(many=True))
@blp.alt_response(403, schema="Error")
@blp.alt_response(422, schema="Error")
def deploy(args):
    """Deploy BPMN/DMN files (platform operators only: a diagram's scripts are code that runs as the service)."""
    user = current_api_user()
    files = {name: text.encode("utf-8") for name, text in args["files"].items()}
    results = deploy_package(user, files)
    return [{"definition": d, "created": created} for d, created in results]


@blp.route("/process-instances", methods=["POST"])
@blp.arguments(StartArgs)
@blp.response(201, InstanceSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def start(args):
    """Start a process in the caller's unit by hand: only a definition whose start event names a start form
    (startFormId), with data valid against that form; a case, a transfer, a rectification order or a
    disclosure's withdrawal start through their own operations (403 not_user_startable)."""
    user = current_api_user()
    return start_by_hand(user, process_id=args["process_id"], title=args["title"], data=args["data"],
                         business_key=args["business_key"])


@blp.route("/process-instances/<int:instance_id>", methods=["GET"])
@blp.response(200, InstanceSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def instance_detail(instance_id):
    """A process instance of my unit (or, for supervisors, principal heads and administrators, of a unit below
    mine)."""
    user = current_api_user()
    instance = _visible_instance(user, instance_id)
    return instance


@blp.route("/process-instances/<int:instance_id>/tasks", methods=["GET"])
@blp.response(200, TaskSchema(many=True))
def instance_tasks(instance_id):
    """Every task of the instance, open and done."""
    user = current_api_user()
    _visible_instance(user, instance_id)
    return list(db.session.scalars(sa.select(Task).where(Task.instance_id == instance_id).order_by(Task.id)))


@blp.route("/process-instances/<int:instance_id>/timers", methods=["GET"])
@blp.response(200, TimerSchema(many=True))
def instance_timers(instance_id):
    """The instance's timers and their due times."""
    user = current_api_user()
    _visible_instance(user, instance_id)
    return list(db.session.scalars(sa.select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at, Timer.id)))


def _visible_instance(user, instance_id) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在 (no such process instance)")
    if not sees_unit(user, instance.unit):
        raise Forbidden("无权查看该案件 (this case belongs to another unit)")
    return instance
