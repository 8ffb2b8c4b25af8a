from __future__ import annotations

from flask_smorest import Blueprint

from ..modules.cases.audit import verify_audit_chain
from ..modules.audit.schemas import ChainReportSchema, VerifyArgs
from .auth import current_api_user

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="全过程记录 (audit trail)")


@blp.route("/verify", methods=["GET"])
@blp.arguments(VerifyArgs, location="query")
@blp.response(200, ChainReportSchema)
@blp.alt_response(403, schema="Error")
@blp.alt_response(404, schema="Error")
def verify(args):
    """Verify the hash chain of a case (`case_id`), a process instance (`instance_id`) or the system chain
    (`system=true`, administrators): `ok`, or the first broken link (an edited, removed or cut-off event)."""
    user = current_api_user()
    return verify_audit_chain(user, **args).to_dict()
