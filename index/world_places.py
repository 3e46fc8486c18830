"""Arabic place names from the Unicode CLDR (through ``babel``): territories and time-zone cities.

CLDR is the locale data every operating system and browser ships; its Arabic names are
reviewed by native speakers and spelled the way Arabic news spells them (روما، برلين،
طوكيو، مالطا، جنوب شرق آسيا).  Two kinds of names are taken:

* **territories** — countries, continents and world regions (``babel.Locale("ar").territories``),
  each with its English name, minus codes that are not places (the world, the EU, the UN,
  pseudo-locales);
* **cities** — the exemplar city of each time zone (``Locale("ar").time_zones``; capitals
  and big cities of every country), each with its English name from ``babel.dates``.

Both yield ``(canonical, aliases)`` like ``index.entities._country_places``, and
:func:`territory_names` gives the territories by code (so that a country's CLDR name joins
its ISO 3166 names from pycountry).  Which names count as ordinary words, and how they meet
the other gazetteers, is decided in ``index.entities``.

Layer: analysis data.  Imports nothing of the project.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import cache

__all__ = ["cldr_cities", "cldr_territories", "territory_names"]

#: Territory codes that are not places a news article names: the world, unions and
#: pseudo-regions, test locales, the unknown region; and Hong Kong, named «هونغ كونغ الصينية
#: (منطقة إدارية خاصة)» (the time-zone city gives «هونغ كونغ»).
_NOT_PLACES = frozenset(("001", "EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "HK"))
#: Time-zone areas whose exemplar cities are research stations or small towns.
_NOT_CITIES = ("Antarctica/", "Etc/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")

_MARKS = re.compile("[\u064b-\u0652\u0640]")  # harakat, shadda, sukun, tatweel (عُمان، عمّان)
_ARABIC = re.compile(r"^[\u0621-\u064a ]+$")
_BRACKETED = re.compile(r"\s*\([^)]*\)")


def _names(raw: str) -> list[str]:
    """The usable spelling of one CLDR name: marks removed; a bracketed gloss (جزر كوكوس
    (كيلينغ)) dropped; names written with a hyphen (الكونغو - كينشاسا) or as an administrative
    region (منطقة ماكاو الإدارية الخاصة) left out: no news text writes them so."""
    text = " ".join(_BRACKETED.sub("", _MARKS.sub("", raw)).split())
    return [text] if _ARABIC.match(text) and "منطقة" not in text.split() else []


@cache
def territory_names() -> dict[str, tuple[str, str]]:
    """Territory code (ISO 3166 alpha-2 or UN M49 region) → (Arabic name, English name)."""
    from babel import Locale

    arabic, english = Locale("ar").territories, Locale("en").territories
    found = {}
    for code, raw in sorted(arabic.items()):
        names = _names(raw)
        if names and code not in _NOT_PLACES:
            found[code] = (names[0], english.get(code, ""))
    return found


def cldr_territories(exclude: Collection[str] = ()) -> Iterator[tuple[str, list[str]]]:
    """Countries, continents and regions (codes in ``exclude`` left out): (Arabic name, [English name])."""
    for code, (name, english) in territory_names().items():
        if code not in exclude:
            yield name, [english] if english else []


def cldr_cities() -> Iterator[tuple[str, list[str]]]:
    """Exemplar cities of the time zones: (Arabic name, [English name])."""
    from babel import Locale
    from babel.dates import get_timezone_location

    for zone, data in sorted(Locale("ar").time_zones.items()):
        city = data.get("city")
        if not city or zone.startswith(_NOT_CITIES):
            continue
        for name in _names(city):
            yield name, [get_timezone_location(zone, locale="en", return_city=True)]
