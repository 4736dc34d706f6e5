"""The print-ready summary for a leaders' meeting: the key figures with their changes and the
units ranked, on one or two A4 pages (.docx; PDF through :mod:`kpi.briefing.pdf`)."""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from kpi.briefing import images
from kpi.briefing.layout import CONTENT_MM, SMALL_PT, grid, line, new_document
from kpi.briefing.model import MISSING, Draft
from kpi.briefing.report import Written, letterhead, print_layout
from kpi.briefing.text import Run
from kpi.i18n import t


def key_rows(draft: Draft) -> list[list[Run]]:
    """The key figures of the level: name, value, the two changes, the target."""
    lang = draft.lang
    rows = []
    for ind in draft.catalogue.key_indicators():
        c = draft.cards.get(ind.code)
        if c is None:
            continue
        rows.append(
            [
                Run(ind.name(lang)),
                Run(c.text if not c.missing else MISSING, missing=c.missing),
                Run(c.previous.with_arrow(lang) if not c.missing else ""),
                Run(c.year_ago.with_arrow(lang) if not c.missing else ""),
                Run(c.target.short if c.target else ""),
            ]
        )
    return rows


def rank_rows(draft: Draft) -> list[list[Run]]:
    r = draft.breakdown.ranking
    if r is None:
        return []
    rows = []
    for row in r.table.to_dict("records"):
        rank = str(row["rank"]) if row["rank"] else "–"
        text = str(row["text"])
        missing = text in ("–", MISSING)
        rows.append([Run(rank), Run(str(row["label"])), Run(MISSING if missing else text, missing)])
    return rows


def write_summary(draft: Draft, *, browser: str | None, with_chart: bool = True) -> Written:
    """The summary .docx: letterhead, title, the key figures table, the units ranked (a chart
    when a renderer exists, and the table in any case)."""
    lang = draft.lang
    doc = new_document()
    letterhead(doc, draft)
    label = draft.period.label(lang)
    line(
        doc,
        t("briefing.summary.title", lang, period=label.upper() if lang == "vi" else label),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=0,
    ).paragraph_format.space_before = Mm(4)
    line(
        doc,
        t("briefing.summary.subtitle", lang, unit=draft.unit.name),
        italic=True,
        size=SMALL_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    if draft.is_demo:
        line(
            doc,
            t("briefing.demo_note", lang),
            size=10,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
    line(doc, t("briefing.summary.key_figures", lang), bold=True, style="Heading 2")
    header = [
        t("briefing.appendix.indicator", lang),
        t("briefing.summary.value", lang, period=label),
        t("briefing.summary.previous", lang),
        t("briefing.summary.year_ago", lang),
        t("briefing.summary.target", lang),
    ]
    grid(doc, header, key_rows(draft), (58, 24, 29, 29, 25), size=10)
    r = draft.breakdown.ranking
    pictures = 0
    reason = None
    rendered = images.Rendered((), None)
    if r is not None:
        ind = draft.catalogue[r.indicator]
        line(
            doc,
            t("briefing.summary.ranking", lang, name=ind.name(lang)),
            bold=True,
            style="Heading 2",
        )
        rows = rank_rows(draft)
        if with_chart and browser is not None and r.table["shown"].notna().any():
            from kpi import charts

            whole = None if draft.is_province else draft.unit.name
            fig = print_layout(charts.ranking_chart(r, ind, lang, whole=whole))
            rendered = images.render([fig], lang, browser, width=650)
            reason = rendered.reason
            for png in rendered.images:
                doc.add_picture(io.BytesIO(png), width=Mm(CONTENT_MM * 0.8))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                pictures += 1
        if rows:
            grid(
                doc,
                [
                    t("briefing.summary.rank", lang),
                    t("briefing.appendix.unit_name", lang),
                    ind.name(lang),
                ],
                rows,
                (20, 90, 55),
                size=11,
                text_columns=2,
            )
        elif not rows:
            line(doc, t("briefing.summary.no_ranking", lang), italic=True, size=SMALL_PT)
    out = io.BytesIO()
    doc.save(out)
    return Written(out.getvalue(), pictures, reason, rendered.startup_s, rendered.render_s)
