"""Users and units (用户与单位), administered within the caller's unit tree; deactivation ends every token and
browser session of the account at once."""
from __future__ import annotations

from flask_smorest import Blueprint

from ..core.schemas import PageArgs
from ..modules.users import operations as user_ops
from ..modules.users.models import Role
from ..modules.users.queries import users_in_tree
from ..modules.users.schemas import (CertificateArgs, CreateUnitArgs, CreateUserArgs, LegalReviewerArgs, PresidingArgs,
                                     UnitPracticeArgs, UnitSchema, UserPageSchema, UserSchema)
from .auth import current_api_user, requires_role

blp = Blueprint("users", __name__, url_prefix="/api/v1/admin", description="用户与单位 (users and units)")
_ADMINS_ONLY = "仅管理员可管理用户和单位 (administrators only)"


@blp.route("/users", methods=["GET"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, UserPageSchema)
@blp.alt_response(403, schema="Error")
def user_list(args):
    """The users of my unit tree (administrators), by unit and username."""
    items, total = users_in_tree(current_api_user(), limit=args["limit"], offset=args["offset"])
    return {"items": items, "total": total}


@blp.route("/users", methods=["POST"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(CreateUserArgs)
@blp.response(201, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
@blp.alt_response(422, schema="Error")
def create_user(args):
    """A user of my unit or a unit below it, with roles (the platform operator role: CLI only)."""
    return user_ops.create_user(current_api_user(), **args)


@blp.route("/units", methods=["POST"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(CreateUnitArgs)
@blp.response(201, UnitSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
def create_unit(args):
    """A unit below my unit or below a unit of my tree."""
    return user_ops.create_unit(current_api_user(), **args)


@blp.route("/users/<username>/deactivate", methods=["POST"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.response(200, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(409, schema="Error")
def deactivate(username):
    """停用: the account can no longer log in, and its tokens and browser sessions end now."""
    return user_ops.set_user_active(current_api_user(), username, False)


@blp.route("/users/<username>/activate", methods=["POST"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.response(200, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def activate(username):
    """启用 a deactivated account again (it logs in afresh: no old token or session comes back)."""
    return user_ops.set_user_active(current_api_user(), username, True)


@blp.route("/users/<username>/certificate", methods=["PUT"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(CertificateArgs)
@blp.response(200, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def set_certificate(args, username):
    """行政执法证: record or withdraw an officer's enforcement certificate (only certified officers are drawn)."""
    return user_ops.set_certificate(current_api_user(), username, **args)


@blp.route("/users/<username>/legal-review", methods=["PUT"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(LegalReviewerArgs)
@blp.response(200, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def record_legal_reviewer(args, username):
    """法制审核人员: the legal qualification and the day the user first did legal review (行政处罚法 Art 58(2):
    the qualification is required of those first taking it up from 2021-07-15)."""
    return user_ops.set_legal_reviewer_record(current_api_user(), username, **args)


@blp.route("/units/<code>/collective-discussion", methods=["PUT"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(UnitPracticeArgs)
@blp.response(200, UnitSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def set_unit_collective_practice(args, code):
    """每案负责人集体讨论: the unit's heads discuss every penalty case (a unit's practice, 行政处罚法 Art 57)."""
    return user_ops.set_collective_discussion_every_case(current_api_user(), code, args["collective_discussion_every_case"])


@blp.route("/users/<username>/presiding", methods=["PUT"])
@requires_role(Role.admin, message=_ADMINS_ONLY)
@blp.arguments(PresidingArgs)
@blp.response(200, UserSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
@blp.alt_response(422, schema="Error")
def set_presiding_head(args, username):
    """主持工作的负责人: a head who presides over the department's work acts as its principal head."""
    return user_ops.set_presiding_head(current_api_user(), username, args["presides_over_work"])
