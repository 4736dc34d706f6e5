"""The editable words of the draft: letterhead names with their validity dates, sections and
sentence templates, read from ``data/briefing/`` and checked."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kpi.catalogue import Catalogue
from kpi.config import DATA_DIR
from kpi.numbers import nfc

BRIEFING_DIR = DATA_DIR / "briefing"
LETTERHEAD_FILE = BRIEFING_DIR / "letterhead.toml"
REPORT_FILE = BRIEFING_DIR / "report.toml"
STYLES = ("body", "dash", "plus", "star", "note")
COMMON_FIELDS = ("period", "area", "department")
#: ``{code}`` or ``{code.change}`` or ``{period}``
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z]+))?\}")


class TemplateError(ValueError):
    """A file under data/briefing/ that cannot be used, naming the file and the entry."""


@dataclass(frozen=True)
class Span:
    """One entry of the letterhead with the dates it is valid for."""

    valid_from: dt.date | None
    valid_to: dt.date | None
    words: Mapping[str, Any]

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def text(self, key: str, lang: str) -> str:
        return str(self.words[f"{key}_{lang}"])

    def lines(self, key: str, lang: str) -> tuple[str, ...]:
        return tuple(str(x) for x in self.words[f"{key}_{lang}"])


@dataclass(frozen=True)
class Letterhead:
    national: Mapping[str, str]
    provinces: tuple[Span, ...]
    departments: tuple[Span, ...]

    def province(self, day: dt.date) -> Span:
        return _pick(self.provinces, day, "province")

    def department(self, day: dt.date) -> Span:
        return _pick(self.departments, day, "department")


@dataclass(frozen=True)
class Paragraph:
    style: str
    text: Mapping[str, str]  # lang -> template
    requires: tuple[str, ...]
    unless: tuple[str, ...]
    optional: bool

    @property
    def codes(self) -> tuple[str, ...]:
        """The indicators the paragraph's text names, in order, each once."""
        found = [m.group(1) for m in PLACEHOLDER.finditer(self.text["vi"] + self.text["en"])]
        return tuple(dict.fromkeys(c for c in found if c not in COMMON_FIELDS))


@dataclass(frozen=True)
class SectionTemplate:
    level: int
    heading: Mapping[str, str]
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class ReportTemplate:
    title: Mapping[str, str]
    closing: Mapping[str, str]
    sections: tuple[SectionTemplate, ...]


def _pick(spans: Sequence[Span], day: dt.date, kind: str) -> Span:
    found = [s for s in spans if s.valid_on(day)]
    if not found:
        raise TemplateError(
            f"{LETTERHEAD_FILE.name}: no [[{kind}]] entry is valid on {day:%d/%m/%Y}"
        )
    return found[0]


def _date(raw: object, where: str) -> dt.date | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise TemplateError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from exc


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc


def _nfc_tree(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc_tree(v) for k, v in value.items()}
    return value


def parse_letterhead(data: Mapping[str, Any], name: str = LETTERHEAD_FILE.name) -> Letterhead:
    """The letterhead of a parsed file; overlapping spans or missing words are errors."""
    data = _nfc_tree(dict(data))
    keys = {
        "province": ("name", "place"),
        "department": ("name", "short", "symbol", "sector", "signer", "recipients"),
    }
    out: dict[str, tuple[Span, ...]] = {}
    for kind, needed in keys.items():
        spans = []
        for i, entry in enumerate(data.get(kind) or [], start=1):
            where = f"{name}: [[{kind}]] #{i}"
            for key in needed:
                for lang in ("vi", "en") if key != "symbol" else ("",):
                    field = f"{key}_{lang}" if lang else key
                    if not entry.get(field):
                        raise TemplateError(f"{where}: {field} is missing")
            words = dict(entry)
            words["symbol_vi"] = words["symbol_en"] = entry.get("symbol", "")
            spans.append(
                Span(
                    _date(entry.get("valid_from"), where),
                    _date(entry.get("valid_to"), where),
                    words,
                )
            )
        if not spans:
            raise TemplateError(f"{name}: no [[{kind}]] entry")
        ordered = sorted(spans, key=lambda s: s.valid_from or dt.date.min)
        for a, b in itertools.pairwise(ordered):
            if a.valid_to is None or (b.valid_from is not None and b.valid_from <= a.valid_to):
                raise TemplateError(f"{name}: [[{kind}]] entries overlap ({a.text('name', 'vi')})")
        out[kind] = tuple(ordered)
    national = data.get("national") or {}
    for field in ("title_vi", "title_en", "motto_vi", "motto_en"):
        if not national.get(field):
            raise TemplateError(f"{name}: [national] {field} is missing")
    return Letterhead(national, out["province"], out["department"])


def parse_report(
    data: Mapping[str, Any], catalogue: Catalogue, name: str = REPORT_FILE.name
) -> ReportTemplate:
    """The sections of a parsed file; unknown indicators, styles or placeholders are errors."""
    data = _nfc_tree(dict(data))
    title = data.get("title") or {}
    for field in ("kind", "subject", "district"):
        for lang in ("vi", "en"):
            if not title.get(f"{field}_{lang}"):
                raise TemplateError(f"{name}: [title] {field}_{lang} is missing")
    closing = data.get("closing") or {}
    sections = []
    for s_no, raw in enumerate(data.get("section") or [], start=1):
        where = f"{name}: section #{s_no}"
        level = raw.get("level")
        if level not in (1, 2, 3):
            raise TemplateError(f"{where}: level must be 1, 2 or 3, not {level!r}")
        heading = {lang: str(raw.get(f"heading_{lang}") or "") for lang in ("vi", "en")}
        if not all(heading.values()):
            raise TemplateError(f"{where}: heading_vi and heading_en are needed")
        paragraphs = []
        for p_no, para in enumerate(raw.get("paragraph") or [], start=1):
            p_where = f"{where} ({heading['vi']}), paragraph #{p_no}"
            style = para.get("style", "body")
            if style not in STYLES:
                raise TemplateError(f"{p_where}: style {style!r} is not one of {STYLES}")
            text = {lang: str(para.get(lang) or "") for lang in ("vi", "en")}
            if not all(text.values()):
                raise TemplateError(f"{p_where}: the text in vi and en is needed")
            for lang, body in text.items():
                for m in PLACEHOLDER.finditer(body):
                    code, part = m.group(1), m.group(2)
                    if code in COMMON_FIELDS and part is None:
                        continue
                    if code not in catalogue:
                        raise TemplateError(f"{p_where} ({lang}): unknown indicator {code!r}")
                    if part not in (None, "change"):
                        raise TemplateError(f"{p_where} ({lang}): unknown {{{code}.{part}}}")
                stray = PLACEHOLDER.sub("", body)
                if "{" in stray or "}" in stray:
                    raise TemplateError(f"{p_where} ({lang}): a brace that is not a placeholder")
            requires = tuple(para.get("requires") or ())
            unless = tuple(para.get("unless") or ())
            for code in requires + unless:
                if code not in catalogue:
                    raise TemplateError(f"{p_where}: unknown indicator {code!r}")
            paragraph = Paragraph(style, text, requires, unless, bool(para.get("optional")))
            vi_codes = {m.group(1) for m in PLACEHOLDER.finditer(text["vi"])} - set(COMMON_FIELDS)
            en_codes = {m.group(1) for m in PLACEHOLDER.finditer(text["en"])} - set(COMMON_FIELDS)
            if vi_codes != en_codes:
                raise TemplateError(
                    f"{p_where}: vi and en name different figures: {sorted(vi_codes ^ en_codes)}"
                )
            paragraphs.append(paragraph)
        sections.append(SectionTemplate(int(level), heading, tuple(paragraphs)))
    if not sections:
        raise TemplateError(f"{name}: no [[section]]")
    return ReportTemplate(title, closing, tuple(sections))


@lru_cache(maxsize=4)
def _letterhead_cached(path: Path, mtime: float) -> Letterhead:
    return parse_letterhead(_load(path), path.name)


def load_letterhead(path: Path = LETTERHEAD_FILE) -> Letterhead:
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc
    return _letterhead_cached(path, mtime)


def load_report(catalogue: Catalogue, path: Path = REPORT_FILE) -> ReportTemplate:
    return parse_report(_load(path), catalogue, path.name)
