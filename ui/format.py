"""Showing money, dates and times in the user's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QDate, QLocale


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    text = QLocale().toString(float(amount), "f", 2)
    return f"{text} {currency}".strip()


def money_totals(amounts: dict[str, Decimal]) -> str:
    """Per-currency totals, one after the other (never added across currencies)."""
    return "  ·  ".join(money(amounts[c], c) for c in sorted(amounts))


def day(value: str | date | None) -> str:
    if not value:
        return ""
    parsed = value if isinstance(value, date) else None
    if parsed is None:
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return QLocale().toString(QDate(parsed.year, parsed.month, parsed.day), QLocale.FormatType.ShortFormat)


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone()
    return f"{day(local.date())} {local.strftime('%H:%M')}"


def clock(value: datetime | None) -> str:
    return "" if value is None else value.astimezone().strftime("%H:%M")


def field_label(label: str) -> str:
    """A field label from the shared spec, translated via the "Fields" context."""
    return QCoreApplication.translate("Fields", label)
