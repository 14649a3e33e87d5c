"""Time zone choices for the signup form: Russia's zones first, then every other one."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

from django.utils.translation import gettext_lazy as _

from associations.models import known_time_zones

#: Russia's time zones, west to east (one city per zone in use, as the IANA database names them).
RUSSIAN_ZONES = (
    ("Europe/Kaliningrad", _("Kaliningrad")),
    ("Europe/Moscow", _("Moscow")),
    ("Europe/Volgograd", _("Volgograd")),
    ("Europe/Kirov", _("Kirov")),
    ("Europe/Samara", _("Samara")),
    ("Europe/Astrakhan", _("Astrakhan")),
    ("Europe/Saratov", _("Saratov")),
    ("Europe/Ulyanovsk", _("Ulyanovsk")),
    ("Asia/Yekaterinburg", _("Yekaterinburg")),
    ("Asia/Omsk", _("Omsk")),
    ("Asia/Novosibirsk", _("Novosibirsk")),
    ("Asia/Barnaul", _("Barnaul")),
    ("Asia/Tomsk", _("Tomsk")),
    ("Asia/Novokuznetsk", _("Novokuznetsk")),
    ("Asia/Krasnoyarsk", _("Krasnoyarsk")),
    ("Asia/Irkutsk", _("Irkutsk")),
    ("Asia/Chita", _("Chita")),
    ("Asia/Yakutsk", _("Yakutsk")),
    ("Asia/Khandyga", _("Khandyga")),
    ("Asia/Vladivostok", _("Vladivostok")),
    ("Asia/Ust-Nera", _("Ust-Nera")),
    ("Asia/Magadan", _("Magadan")),
    ("Asia/Sakhalin", _("Sakhalin")),
    ("Asia/Srednekolymsk", _("Srednekolymsk")),
    ("Asia/Kamchatka", _("Kamchatka")),
    ("Asia/Anadyr", _("Anadyr")),
)
DEFAULT_ZONE = "Europe/Moscow"


def _offset(name: str) -> str:
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(name)).utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@cache
def _other_zones() -> tuple[str, ...]:
    russian = {name for name, _label in RUSSIAN_ZONES}
    return tuple(
        sorted(
            name
            for name in known_time_zones()
            if "/" in name
            and name not in russian
            and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
        )
    )


class _Label:
    """A lazily translated city with its current UTC offset, e.g. "Moscow (UTC+03:00)"."""

    def __init__(self, name: str, city):
        self.name, self.city = name, city

    def __str__(self) -> str:
        return f"{self.city} ({_offset(self.name)})"


def time_zone_choices() -> list:
    """Grouped choices for a ``ChoiceField``: Russia first, then the world by IANA name."""
    return [
        (_("Russia"), [(name, _Label(name, city)) for name, city in RUSSIAN_ZONES]),
        (_("Other time zones"), [(name, name.replace("_", " ")) for name in _other_zones()]),
    ]


def is_known_zone(name: str) -> bool:
    return name in known_time_zones()
