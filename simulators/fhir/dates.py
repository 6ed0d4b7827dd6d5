"""FHIR date/dateTime/instant values as (lowest, highest) epoch-second ranges, for date search
prefixes: `2022-11` covers the whole month, `2022-11-06T15:00` the whole minute. Values without a
time zone are read as UTC (the simulator's clock), which is what HAPI does for searches.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone, UTC

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})(?:T(?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$")


def parse_range(text: str) -> tuple[float, float]:
    match = _DATE_RE.match(text.strip())
    if match is None:
        raise ValueError(f"date invalide : {text[:40]!r}")
    g = match.groupdict()
    year = int(g["y"])
    month = int(g["mo"] or 1)
    day = int(g["d"] or 1)
    hour, minute = int(g["h"] or 0), int(g["mi"] or 0)
    second = int(g["s"] or 0)
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and hour < 24
            and minute < 60 and second < 61 and year >= 1):
        raise ValueError(f"date invalide : {text[:40]!r}")
    tz = UTC
    if g["tz"] and g["tz"] != "Z":
        sign = 1 if g["tz"][0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(g["tz"][1:3]), minutes=int(g["tz"][4:6])))
    start = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
    if g["f"]:
        start = start.replace(microsecond=int(g["f"][:6].ljust(6, "0")))
    if g["mo"] is None:
        end = start.replace(year=year + 1) if year < 9999 else start.replace(month=12, day=31) + timedelta(days=1)
    elif g["d"] is None:
        end = start.replace(year=year + (month == 12), month=month % 12 + 1)
    elif g["h"] is None:
        end = start + timedelta(days=1)
    elif g["s"] is None:
        end = start + timedelta(minutes=1)
    elif g["f"] is None:
        end = start + timedelta(seconds=1)
    else:
        return start.timestamp(), start.timestamp()
    return start.timestamp(), end.timestamp() - 1e-6


def instant(epoch: float) -> str:
    """`meta.lastUpdated` form: 2026-11-22T03:07:14.000+00:00 (HAPI's rendering)."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"
