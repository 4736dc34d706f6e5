"""The sentences of a draft: templates filled with figures in words (qualifier words, changes
worded as changes, progress against targets), as runs with the missing parts marked."""

from __future__ import annotations

from dataclasses import dataclass

from kpi import dashboard
from kpi.briefing.model import MISSING, Draft
from kpi.briefing.templates import PLACEHOLDER, Paragraph, SectionTemplate
from kpi.catalogue import IndicatorDef
from kpi.display import format_figure
from kpi.i18n import t
from kpi.numbers import format_number


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph; ``missing`` pieces are highlighted for staff to fill in."""

    text: str
    missing: bool = False


def figure_words(ind: IndicatorDef, c: dashboard.Card, lang: str) -> str:
    """A figure as a sentence writes it: "trên 50", "khoảng 28.474", "7.848", "99,57%"; the
    number is the Overview's (``c.text``) without its sign."""
    if c.missing or c.value is None:
        return MISSING
    number = format_figure(ind, c.value, lang)
    if c.qualifier != "exact":
        number = f"{t(f'briefing.qualifier.{c.qualifier}', lang)} {number}"
    if not c.complete:
        number += t("briefing.incomplete", lang)
    return number


def _amount(ind: IndicatorDef, change: dashboard.Change, lang: str) -> str:
    assert change.diff is not None
    if ind.percent or ind.fraction:
        points = round(abs(change.diff) * (100 if ind.fraction else 1), 2)
        decimals = 0 if points == int(points) else 2
        text = t(
            "briefing.change.points", lang, value=format_number(points, lang, decimals=decimals)
        )
    else:
        text = f"{format_number(abs(change.diff), lang, decimals=ind.decimals)} {ind.unit(lang)}"
        if change.share is not None:
            text += f" ({format_number(abs(change.share) * 100, lang, decimals=1)}%)"
    if change.text is not None and change.text.startswith("~"):
        text = f"{t('briefing.qualifier.approx', lang)} {text}"
    return text


def change_words(ind: IndicatorDef, change: dashboard.Change, since: str, lang: str) -> str:
    """ "tăng 406 người (5,5%) so với quý trước", "không đổi so với cùng kỳ năm trước"."""
    if change.diff is None:
        return t(f"briefing.change.unknown_{since}", lang)
    if change.diff == 0:
        return t(f"briefing.change.same_{since}", lang)
    verb = t("briefing.change.up" if change.diff > 0 else "briefing.change.down", lang)
    return t(f"briefing.change.{since}", lang, verb=verb, amount=_amount(ind, change, lang))


def target_words(c: dashboard.Card, lang: str) -> str | None:
    """ "đạt 92,3% chỉ tiêu năm 2019", or for a flow's year so far "lũy kế năm đạt ..."."""
    p = c.target
    if p is None or p.share is None:
        return None
    share = format_number(p.share * 100, lang, decimals=1) + "%"
    key = "briefing.target.cumulative" if p.cumulative else "briefing.target.current"
    return t(key, lang, share=share, year=p.year)


def changes_clause(ind: IndicatorDef, c: dashboard.Card, lang: str) -> Run:
    """What ``{code.change}`` becomes: both changes and the target, or a highlighted note
    when the quarter has no figure."""
    if c.missing:
        return Run(t("briefing.change.no_figure", lang), missing=True)
    text = t(
        "briefing.change.both",
        lang,
        previous=change_words(ind, c.previous, "previous", lang),
        year_ago=change_words(ind, c.year_ago, "year_ago", lang),
    )
    target = target_words(c, lang)
    if target:
        text = f"{text}, {target}"
    return Run(text)


def applies(paragraph: Paragraph, draft: Draft) -> bool:
    """Whether a paragraph belongs in this draft: all its figures are reported at the
    draft's level (and, when optional, one of them exists in the quarter)."""
    if not all(code in draft.cards for code in paragraph.codes + paragraph.requires):
        return False
    if paragraph.unless and all(code in draft.cards for code in paragraph.unless):
        return False
    if paragraph.optional and paragraph.codes:
        return any(not draft.cards[c].missing for c in paragraph.codes)
    return True


def fill(template: str, draft: Draft) -> list[Run]:
    """The runs of a template: plain text, figures in words, changes; missing parts marked."""
    lang = draft.lang
    common = {
        "period": draft.period_words(),
        "area": draft.area_words(),
        "department": draft.department_words(),
    }
    runs: list[Run] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m.start() > pos:
            runs.append(Run(template[pos : m.start()]))
        code, part = m.group(1), m.group(2)
        if code in common and part is None:
            runs.append(Run(common[code]))
        else:
            ind = draft.catalogue[code]
            c = draft.cards[code]
            if part == "change":
                runs.append(changes_clause(ind, c, lang))
            else:
                runs.append(Run(figure_words(ind, c, lang), missing=c.missing))
        pos = m.end()
    if pos < len(template):
        runs.append(Run(template[pos:]))
    return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if out and out[-1].missing == r.missing:
            out[-1] = Run(out[-1].text + r.text, r.missing)
        else:
            out.append(r)
    return out


def plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


@dataclass(frozen=True)
class Block:
    """A numbered heading or a paragraph of the draft's body, in order."""

    kind: str  # heading | body | dash | plus | star | note
    level: int
    number: str
    runs: tuple[Run, ...]


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def body(draft: Draft) -> list[Block]:
    """The body of the draft: the sections that have something to say, numbered in order
    ("I.", "1.", "2.1."), each followed by its paragraphs."""
    kept: list[tuple[SectionTemplate, list[Paragraph]]] = []
    for section in draft.template.sections:
        paragraphs = [p for p in section.paragraphs if applies(p, draft)]
        kept.append((section, paragraphs))
    # a section without paragraphs of its own stays while a deeper one below it stays
    keep = [bool(ps) for _, ps in kept]
    for i in range(len(kept) - 1, -1, -1):
        if keep[i]:
            continue
        level = kept[i][0].level
        j = i + 1
        while j < len(kept) and kept[j][0].level > level:
            if keep[j]:
                keep[i] = True
                break
            j += 1
    blocks: list[Block] = []
    counters = [0, 0, 0]
    for (section, paragraphs), wanted in zip(kept, keep, strict=True):
        if not wanted:
            continue
        level = section.level
        counters[level - 1] += 1
        for deeper in range(level, 3):
            counters[deeper] = 0
        if level == 1:
            number = f"{ROMAN[counters[0] - 1]}."
        elif level == 2:
            number = f"{counters[1]}."
        else:
            number = f"{counters[1]}.{counters[2]}."
        heading = section.heading[draft.lang]
        blocks.append(Block("heading", level, number, (Run(heading),)))
        for p in paragraphs:
            runs = fill(p.text[draft.lang], draft)
            if p.style == "note":
                runs = [Run(plain(runs), missing=True)]
            blocks.append(Block(p.style, level, "", tuple(runs)))
    return blocks
