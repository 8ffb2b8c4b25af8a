"""How documents write amounts and dates: 人民币伍万元整（¥50,000.00）, 2026年10月13日."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def amount_in_capitals(amount) -> str:
    """人民币 in capitals (大写), as financial documents write it: 50000 -> 人民币伍万元整, 100.05 -> 人民币壹佰元零伍分.
    cn2an's "rmb" mode is the converter (kept up on PyPI, used widely); we only round to the fen first."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    if value == 0:
        return "人民币零元整"
    # import here: cn2an compiles its patterns when imported (0.3 s); only processes that write an amount pay that,
    # not every gunicorn worker, `wfs` command and test process that starts the app. Not a cycle.
    import cn2an  # import here: startup cost, see the comment above

    return "人民币" + cn2an.an2cn(str(value), "rmb")


def amount_in_figures(amount) -> str:
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"¥{value:,.2f}"


def amount_both(amount) -> str:
    """人民币伍万元整（¥50,000.00）"""
    return f"{amount_in_capitals(amount)}（{amount_in_figures(amount)}）"


def to_local(value) -> datetime | date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(SHANGHAI)
    return value


def chinese_date(value) -> str:
    """2026年10月13日 (the day in Asia/Shanghai); empty for no value."""
    local = to_local(value)
    if local is None:
        return ""
    return f"{local.year}年{local.month}月{local.day}日"


def chinese_datetime(value) -> str:
    local = to_local(value)
    if local is None:
        return ""
    if not isinstance(local, datetime):
        return chinese_date(local)
    return f"{local.year}年{local.month}月{local.day}日{local.hour:02d}时{local.minute:02d}分"
