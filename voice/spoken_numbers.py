"""Reading Arabic numbers aloud in Mandarin: cardinals (via cn2an), digit strings, years, phones, times, percents."""

from __future__ import annotations

from functools import lru_cache

DIGIT_NAMES = "零一二三四五六七八九"
PHONE_DIGIT_NAMES = "零幺二三四五六七八九"  # on the phone 1 is read 幺 so it is not mistaken for 七
# A lone 2 before these measure words is read 两 (两个, 两家, 两万); 二月/二号/二日 stay 二.
LIANG_CLASSIFIERS = frozenset("个家所张人名位次岁年项条类种户间座栋层支批万千亿台辆套份")
_MAX_CARDINAL_DIGITS = 12  # longer digit runs (ids, account numbers) are read digit by digit


@lru_cache(maxsize=1)
def _an2cn():  # type: ignore[no-untyped-def]
    try:
        from cn2an import an2cn
    except ImportError as exc:  # pragma: no cover - cn2an is a core dependency
        raise ImportError("cn2an is needed to read numbers aloud: pip install cn2an") from exc
    return an2cn


def read_digits(digits: str, *, phone: bool = False) -> str:
    """'2025' → 二零二五; with phone=True '12345' → 幺二三四五."""
    names = PHONE_DIGIT_NAMES if phone else DIGIT_NAMES
    return "".join(names[int(ch)] for ch in digits if ch.isdigit())


def read_year(year: str) -> str:
    """'2025' → 二零二五 (years are read digit by digit)."""
    return read_digits(year)


def read_cardinal(number: str, next_char: str = "") -> str:
    """'90233' → 九万零二百三十三, '23.21' → 二十三点二一, '2' before 个 → 两."""
    number = number.replace(",", "")
    integer, _, fraction = number.partition(".")
    if not integer:
        integer = "0"
    if len(integer) > 1 and integer.startswith("0") or len(integer) > _MAX_CARDINAL_DIGITS:
        spoken = read_digits(integer)  # '007', long ids: digit by digit; cn2an would read '010' as 十
    elif integer == "2" and not fraction and next_char in LIANG_CLASSIFIERS:
        spoken = "两"
    else:
        spoken = _an2cn()(integer, "low")
        if spoken[:2] in ("二千", "二万", "二亿"):
            spoken = "两" + spoken[1:]  # 两千, 两万, 两亿 as people say them
    if fraction:
        spoken += "点" + read_digits(fraction)
    return spoken


def read_percent(number: str) -> str:
    """'60' → 百分之六十, '100' → 百分之百, '23.21' → 百分之二十三点二一."""
    if number.replace(",", "") in ("100", "100.0"):
        return "百分之百"
    return "百分之" + read_cardinal(number)


def read_clock(hour: int, minute: int) -> str:
    """8:30 → 八点半, 17:00 → 十七点, 9:05 → 九点零五分, 14:45 → 十四点四十五分."""
    spoken = read_cardinal(str(hour)) + "点"
    if minute == 0:
        return spoken
    if minute == 30:
        return spoken + "半"
    if minute < 10:
        return spoken + "零" + DIGIT_NAMES[minute] + "分"
    return spoken + read_cardinal(str(minute)) + "分"
