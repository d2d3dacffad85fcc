"""How the scaffolds read an editor's typed answers (``python -m scripts new …``); ``ValueError`` carries the
Chinese message shown to the editor."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .models import PERIOD_PATTERN


def parse_hours(text: str) -> dict[str, Any]:
    """``24h`` or daily periods such as ``08:00-12:00,14:00-20:00``."""
    if text.strip().lower() in ("24h", "24", "24小时"):
        return {"open_24h": True, "periods": []}
    periods = [p.strip() for p in re.split(r"[,，、\s]+", text) if p.strip()]
    wrong = [p for p in periods if not re.fullmatch(PERIOD_PATTERN, p)]
    if not periods or wrong:
        raise ValueError(f"时段格式不对（bad period）：{'、'.join(wrong) or text}。"
                         "写成 08:00-20:00，多段用逗号隔开；全天开放写 24h。")
    return {"open_24h": False, "periods": periods}


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"日期无效（bad date）：{text}。写成 2026-11-28。") from None


def parse_number(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"应为数字（not a number）：{text}，如 38.4165。") from None


def parse_when(text: str) -> str:
    """``2026-12-09`` (all day) or ``2026-12-09 09:00``, as the event file writes it; ``：`` and ``T`` accepted."""
    cleaned = text.strip().replace("：", ":").replace("T", " ")
    try:
        if len(cleaned) == 10:
            return dt.date.fromisoformat(cleaned).isoformat()
        return dt.datetime.strptime(cleaned, "%Y-%m-%d %H:%M").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        raise ValueError(f"日期或时间无效（bad date or time）：{text}。全天写 2026-12-09，"
                         "有具体时间写 2026-12-09 09:00。") from None
