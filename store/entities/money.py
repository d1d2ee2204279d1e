"""Amounts of money (`20亿美元`, ranges, `数十亿美元`), normalised to a value and a currency."""

from __future__ import annotations

import re
from decimal import Decimal

from .found import Found

_NUM = r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?"
_MULT = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)"
_CUR = r"(?:美元|美金|元人民币|人民币|港元|港币|欧元|日元|英镑|韩元|新台币|元(?!宇宙|素|年|旦|月|代|老|件|器|数据|气|首|帅))"
MONEY = re.compile(
    r"(?=[\d数几上近$])"
    rf"(?:(?P<lo>{_NUM})(?P<lomult>{_MULT})?\s?(?:至|到|~|～|-|—)\s?(?P<hi>{_NUM})(?P<himult>{_MULT})?(?P<cur>{_CUR})"
    rf"|(?P<num>{_NUM})\s?(?P<mult>{_MULT})?(?P<cur2>{_CUR})"
    rf"|(?P<vague>(?:数|几|上|近)(?:十|百|千)?(?:万亿|亿|万)|(?:数|几|上)(?:十|百|千)万?)(?P<cur3>{_CUR})"
    r"|\$\s?(?P<usd>\d+(?:,\d{3})*(?:\.\d+)?)\s?(?P<usdmult>trillion|billion|million|bn|mn|B|M)?\b)"
)
# Every amount ends in a currency or starts with `$`, and each currency holds one of
# these (most articles hold none); before its currency an amount holds only
# _AMOUNT_CHAR: digits, separators, multipliers, 数几上近.
_CURRENCY_MARKERS = ("元", "币", "美金", "英镑", "$")
_AMOUNT_CHAR = re.compile(r"[\d\s,.至到~～\-—万亿千百十数几上近]")
_MULTIPLIERS = {
    None: 1,
    "": 1,
    "千": 10**3,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
    "十亿": 10**9,
    "百亿": 10**10,
    "千亿": 10**11,
    "万亿": 10**12,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,  # `$500M`
    "b": 10**9,  # `$2B`
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
_CURRENCIES = {
    "美元": "USD",
    "美金": "USD",
    "元": "CNY",
    "人民币": "CNY",
    "元人民币": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "韩元": "KRW",
    "新台币": "TWD",
}
_UNIT_NAMES = {
    "USD": "美元",
    "CNY": "元",
    "HKD": "港元",
    "EUR": "欧元",
    "JPY": "日元",
    "GBP": "英镑",
    "KRW": "韩元",
    "TWD": "新台币",
}


def _amount(number: str, mult: str | None) -> Decimal:
    return Decimal(number.replace(",", "")) * _MULTIPLIERS[mult]


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_name(value: Decimal, currency: str, unit: bool = True) -> str:
    """`2000000000, USD` → `20亿美元`: how Chinese text writes the amount."""
    for size, word in ((Decimal(10**12), "万亿"), (Decimal(10**8), "亿"), (Decimal(10**4), "万")):
        if value >= size:
            text = _plain(value / size) + word
            break
    else:
        text = _plain(value)
    return text + (_UNIT_NAMES[currency] if unit else "")


def find_money(text: str) -> list[Found]:
    """Amounts of money in a text, one Found per distinct amount (count = mentions)."""
    found: dict[str, Found] = {}
    # MONEY is tried at every position (0.1 ms an article), so only from where the first
    # amount could start: the characters of an amount before the first currency.
    first = min((at for at in map(text.find, _CURRENCY_MARKERS) if at >= 0), default=-1)
    if first < 0:
        return []
    start = max(0, first - 2)  # (a currency's marker is at most two characters in)
    while start and _AMOUNT_CHAR.match(text, start - 1):
        start -= 1
    for m in MONEY.finditer(text, start):
        value: Decimal | None
        high: Decimal | None = None
        if m["lo"]:
            currency = _CURRENCIES[m["cur"]]
            lomult = m["lomult"] or m["himult"]  # `1000亿至1400亿` and `20至200美元`
            value, high = _amount(m["lo"], lomult), _amount(m["hi"], m["himult"])
            if high <= value:
                continue
            name = f"{money_name(value, currency, False)}至{money_name(high, currency)}"
            surface = m.group()
        elif m["num"]:
            currency = _CURRENCIES[m["cur2"]]
            value = _amount(m["num"], m["mult"])
            if value == 0:
                continue
            name = money_name(value, currency)
            surface = m.group()
        elif m["vague"]:
            currency = _CURRENCIES[m["cur3"]]
            value = None
            name = surface = m.group()
        else:
            currency = "USD"
            value = _amount(m["usd"], (m["usdmult"] or "").lower() or None)
            name = money_name(value, currency)
            surface = m.group().strip()
        item = found.get(name)
        if item is None:
            item = found[name] = Found(
                name,
                "money",
                0,
                aliases=(f"{_plain(value)} {currency}",)
                if value is not None and high is None
                else (),
                value=float(value) if value is not None else None,
                high=float(high) if high is not None else None,
                unit=currency,
                source="money",
            )
        item.count += 1
        item.surfaces.add(surface)
    return list(found.values())
