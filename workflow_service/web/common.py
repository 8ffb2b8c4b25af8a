"""What every page module shares: the blueprint, the signed-in user, paging, and role checks for navigation."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, request
from flask_login import current_user

from ..core.errors import Forbidden
from ..core.messages import to_chinese
from ..modules.users.models import ROLE_LABELS, Role

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")

PER_PAGE = 20
ROLE_NAMES = {r.value: label for r, label in ROLE_LABELS.items()}
LEVEL_NAMES = {"warning": "预警", "escalation1": "一级督办", "escalation2": "二级督办"}
UNIT_LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}
SOURCE_NAMES = {"inspection": "检查发现", "complaint": "投诉举报", "referral": "其他机关移送", "accident": "事故调查",
                "overdue_rectification": "逾期未整改", "returned_by_police": "司法机关移送"}
CASE_STATUS_NAMES = {"open": "办理中", "suspended": "中止", "closed": "已结案"}
PERIOD_UNIT_NAMES = {"working_days": "工作日", "calendar_days": "日", "hours": "小时", "months": "个月"}


def me():
    return current_user._get_current_object()


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["WFS"]["TIMEZONE"])


def is_supervisor(user) -> bool:
    return user.has_role(Role.supervisor) or user.has_role(Role.principal_head)


def require_admin(user) -> None:
    if not user.has_role(Role.admin):
        raise Forbidden("仅管理员可访问 (administrators only)")


@dataclass
class Pager:
    """Long lists are paged: a page loads only the rows it shows."""

    page: int
    total: int
    per_page: int = PER_PAGE
    arg: str = "page"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def url(self, page: int) -> str:
        args = request.args.to_dict()
        args[self.arg] = str(page)
        from urllib.parse import urlencode

        return f"{request.path}?{urlencode(args)}"


def page_number(arg: str = "page") -> int:
    try:
        return max(1, min(int(request.args.get(arg, 1)), 100_000))
    except ValueError:
        return 1


def chinese(message: str) -> str:
    """Service messages read "中文 (English)": the pages show the Chinese (core/messages.py, as everywhere)."""
    return to_chinese(message or "")


def is_local_path(target: str) -> bool:
    """Only local paths: never redirect to another site. Browsers read a backslash as a slash and drop tabs and
    newlines, so a backslash or control character could turn "/..." into "//host"."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    return not any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7f for ch in target)
