"""User-visible strings: ``t(key, lang, **values)`` from ``kpi/locales/<area>.<lang>.toml``.

Each area of the product keeps its strings in its own pair of files (core, dashboard, import,
export …); keys are dotted (``overview.title``). Vietnamese is the first language. Indicator and
unit names are domain data and come from the catalogue, not from here.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from kpi.config import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=len(LANGUAGES))
def strings(lang: str) -> dict[str, str]:
    """Every string of one language, from all its locale files."""
    out: dict[str, str] = {}
    for path in sorted(LOCALES_DIR.glob(f"*.{lang}.toml")):
        with path.open("rb") as fh:
            flat = _flatten(tomllib.load(fh))
        clash = set(flat) & set(out)
        if clash:
            raise ValueError(f"{path.name}: keys defined twice: {sorted(clash)}")
        out.update(flat)
    return out


def t(key: str, lang: str = "vi", **values: Any) -> str:
    """The string ``key`` in ``lang``, with ``{name}`` fields filled from ``values``.

    A missing key raises KeyError: tests check that every key exists in every language.
    """
    text = strings(lang if lang in LANGUAGES else "vi")[key]
    return text.format(**values) if values else text


def has(key: str, lang: str = "vi") -> bool:
    return key in strings(lang)
