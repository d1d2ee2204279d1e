"""`money:` filters: amounts parsed with the entities' own normaliser, and their SQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .entities.money import find_money
from .query import MoneyFilter, Query, parse_query


def checked_query(text: str) -> Query:
    """parse_query, with the `money:` filters whose amount is no amount dropped (a problem each)."""
    query = parse_query(text)
    bad = [m for m in query.money if money_amount(m.amount) is None]
    if not bad:
        return query
    return replace(
        query,
        money=tuple(m for m in query.money if m not in bad),
        problems=(
            *query.problems,
            *(
                f"money:{m.op}{m.amount} is not an amount (1亿美元, 21.95亿元, $2B, 5000万): ignored"
                for m in bad
            ),
        ),
    )


def money_amount(text: str) -> tuple[float, str | None] | None:
    """`1亿美元` → (1e8, "USD"); `5000万` (no currency) → (5e7, None): any currency.

    The entities' own normaliser parses it, so a filter and the amounts it compares with
    agree on `1.25亿`, `$2B` and `21.95亿元`. A vague (`数亿美元`) or a range is no amount.
    """
    text = text.strip()
    for candidate, unit in ((text, True), (text + "美元", False)):
        found = find_money(candidate)
        if len(found) == 1 and candidate in found[0].surfaces:
            amount = found[0]
            if amount.value is None or amount.high is not None:
                return None
            return amount.value, amount.unit if unit else None
    return None


# A range (value..high) matches when some amount in it does; a vague amount (value NULL)
# matches no comparison.
_MONEY_SQL = {
    ">": "coalesce(high, value) > ?",
    ">=": "coalesce(high, value) >= ?",
    "<": "value < ?",
    "<=": "value <= ?",
    "=": "value <= ? AND coalesce(high, value) >= ?",
}


def money_filter_sql(money: MoneyFilter) -> tuple[str, list[Any]]:
    """SQL for the ids of the money entities that satisfy `money` (and their parameters)."""
    parsed = money_amount(money.amount)
    assert parsed is not None  # checked_query dropped the others
    value, unit = parsed
    condition = _MONEY_SQL[money.op]
    params: list[Any] = [value] * condition.count("?")
    sql = f"SELECT id FROM entities WHERE type = 'money' AND {condition}"
    if unit is not None:
        sql += " AND unit = ?"
        params.append(unit)
    return sql, params
