"""The draft quarterly report as a .docx in the department's form: letterhead, title, the
sections with a sentence per figure, closing, signature and recipients, and the appendix
(every figure beside the previous quarter and the same quarter last year, the one-stop figures
of the districts or communes, charts)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from kpi import charts
from kpi.briefing import images
from kpi.briefing.layout import (
    BODY_PT,
    CONTENT_MM,
    SMALL_PT,
    add_runs,
    cell_lines,
    grid,
    line,
    new_document,
    two_columns,
)
from kpi.briefing.model import MISSING, Draft
from kpi.briefing.text import Block, Run, body, fill
from kpi.i18n import t

STYLE_PREFIX = {"dash": "- ", "plus": "+ ", "star": "* "}
HEADING_STYLE = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Written:
    """A written document and what became of its charts."""

    data: bytes
    charts: int
    charts_reason: str | None
    startup_s: float = 0.0
    render_s: float = 0.0


def title_lines(draft: Draft) -> tuple[str, str]:
    """ "BÁO CÁO" and "Tình hình thực hiện nhiệm vụ ... quý I/2019" (with the district)."""
    lang = draft.lang
    title = draft.template.title
    period = draft.period_words()
    if not draft.is_province:
        area = title[f"district_{lang}"].format(area=draft.area_words())
        period = f"{area} {period}" if lang == "vi" else f"{area}, {period}"
    subject = title[f"subject_{lang}"].format(
        sector=draft.department.text("sector", lang), period=period
    )
    return title[f"kind_{lang}"], subject


def letterhead(doc: DocxDocument, draft: Draft) -> None:
    """The two columns of the letterhead: the bodies and the number; the national title, the
    motto, and the place and date."""
    lang = draft.lang
    table = two_columns(doc, 72)
    left, right = table.rows[0].cells
    symbol = draft.department.text("symbol", lang)
    cell_lines(
        left,
        [
            (draft.province.text("name", lang), 12, False, False),
            (draft.department.text("name", lang), 12, True, False),
            ("", 6, False, False),
            (t("briefing.number_line", lang, symbol=symbol), 13, False, False),
        ],
    )
    year = draft.period.end.year
    place = draft.province.text("place", lang)
    cell_lines(
        right,
        [
            (draft.national[f"title_{lang}"], 12, True, False),
            (draft.national[f"motto_{lang}"], 13, True, False),
            ("", 6, False, False),
            (t("briefing.date_line", lang, place=place, year=year), 14, False, True),
        ],
    )


def _title(doc: DocxDocument, draft: Draft) -> None:
    kind, subject = title_lines(draft)
    first = line(doc, kind, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    first.paragraph_format.space_before = Pt(18)
    line(doc, subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    if draft.is_demo:
        line(
            doc,
            t("briefing.demo_note", draft.lang),
            size=SMALL_PT,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )


def _block(doc: DocxDocument, block: Block) -> None:
    if block.kind == "heading":
        para = doc.add_paragraph(style=HEADING_STYLE[block.level])
        para.paragraph_format.first_line_indent = Mm(12.7)
        add_runs(para, [Run(f"{block.number} {block.runs[0].text}")], bold=True)
        return
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para.paragraph_format.first_line_indent = Mm(12.7)
    runs = list(block.runs)
    prefix = STYLE_PREFIX.get(block.kind)
    if prefix:
        runs.insert(0, Run(prefix))
    add_runs(para, runs, bold=block.kind == "star", italic=block.kind == "note")


def _closing(doc: DocxDocument, draft: Draft) -> None:
    lang = draft.lang
    text = draft.template.closing.get(lang)
    if text:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        para.paragraph_format.first_line_indent = Mm(12.7)
        add_runs(para, fill(text, draft))
    table = two_columns(doc, 80)
    left, right = table.rows[0].cells
    recipients = draft.department.lines("recipients", lang)
    cell_lines(
        left,
        [(t("briefing.recipients", lang), 12, True, True)]
        + [(f"- {r}", 11, False, False) for r in recipients],
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    cell_lines(
        right,
        [
            (draft.department.text("signer", lang), 14, True, False),
            ("", 14, False, False),
            ("", 14, False, False),
            ("", 14, False, False),
            (t("briefing.signer_name", lang), 14, True, False),
        ],
    )


def appendix_rows(draft: Draft) -> list[list[Run]]:
    """Every figure of the quarter: indicator, unit, the quarter, the previous quarter, the
    same quarter last year (as the Overview shows them; "…" when missing)."""
    rows = []
    for ind in draft.indicators:
        c = draft.cards[ind.code]
        now = c.text if not c.missing else MISSING
        rows.append(
            [
                Run(ind.name(draft.lang)),
                Run(ind.unit(draft.lang)),
                Run(now, missing=c.missing),
                Run(draft.previous[ind.code]),
                Run(draft.year_ago[ind.code]),
            ]
        )
    return rows


def _appendix(
    doc: DocxDocument, draft: Draft, pictures: Sequence[tuple[str, bytes]], reason: str | None
) -> None:
    lang = draft.lang
    p = draft.period
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    line(
        doc,
        t("briefing.appendix.title", lang),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        style="Heading 1",
    )
    line(doc, t("briefing.appendix.figures", lang, period=p.label(lang)), style="Heading 2")
    header = [
        t("briefing.appendix.indicator", lang),
        t("briefing.appendix.unit", lang),
        p.label(lang),
        p.previous().label(lang),
        p.year_ago().label(lang),
    ]
    grid(doc, header, appendix_rows(draft), (67, 26, 24, 24, 24), text_columns=2)
    line(doc, t("briefing.appendix.missing_note", lang), size=SMALL_PT, italic=True)
    b = draft.breakdown
    if b.codes and b.units:
        key = (
            "briefing.appendix.breakdown_districts"
            if draft.is_province
            else "briefing.appendix.breakdown_communes"
        )
        line(doc, t(key, lang, period=p.label(lang)), style="Heading 2")
        names = [draft.catalogue[c].name(lang) for c in b.codes]
        size = 11 if len(b.codes) <= 4 else 10
        rows = [
            [Run(u.name)]
            + [Run(b.texts[(c, u.id)], missing=b.texts[(c, u.id)] == MISSING) for c in b.codes]
            for u in b.units
        ]
        rows.append(
            [Run(t("briefing.appendix.total", lang, area=draft.area_words()))]
            + [Run(b.total[c], missing=b.total[c] == MISSING) for c in b.codes]
        )
        first = 45.0
        rest = (CONTENT_MM - first) / len(b.codes)
        widths = [first] + [rest] * len(b.codes)
        grid(doc, [t("briefing.appendix.unit_name", lang), *names], rows, widths, size=size)
    if pictures or reason:
        line(doc, t("briefing.appendix.charts", lang), style="Heading 2")
    for caption, png in pictures:
        doc.add_picture(io.BytesIO(png), width=Mm(CONTENT_MM - 5))
        line(doc, caption, size=SMALL_PT, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if reason and not pictures:
        line(doc, t("briefing.appendix.no_charts", lang, reason=reason), size=SMALL_PT, italic=True)


def print_layout(fig: go.Figure) -> go.Figure:
    """A chart for paper: the document's serif face, larger, on white."""
    fig.update_layout(
        font={"family": "Liberation Serif, Times New Roman, serif", "size": 16},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def chart_figures(draft: Draft) -> list[tuple[str, go.Figure]]:
    """The appendix's charts with their captions: the trend of the key figures over eight
    quarters (one chart per set of :data:`kpi.briefing.model.TREND_SETS`) and the units
    ranked on the one-stop dossiers received."""
    from kpi.briefing.model import TREND_SETS

    lang = draft.lang
    out: list[tuple[str, go.Figure]] = []
    for codes in TREND_SETS:
        present = [c for c in codes if c in draft.cards]
        long = draft.trend[draft.trend["indicator"].isin(present)]
        if long.empty or long["value"].notna().sum() == 0:
            continue
        names = ", ".join(draft.catalogue[c].name(lang) for c in present)
        fig = charts.trend_chart(long, draft.catalogue, lang)
        out.append((t("briefing.appendix.trend", lang, names=names), print_layout(fig)))
    r = draft.breakdown.ranking
    if r is not None and r.table["shown"].notna().any():
        ind = draft.catalogue[r.indicator]
        whole = None if draft.is_province else draft.unit.name
        fig = charts.ranking_chart(r, ind, lang, whole=whole)
        caption = t(
            "briefing.appendix.ranking", lang, name=ind.name(lang), period=draft.period.label(lang)
        )
        out.append((caption, print_layout(fig)))
    return out


def write_draft(draft: Draft, *, browser: str | None, with_charts: bool = True) -> Written:
    """The .docx of a draft. Charts are drawn by ``browser`` (see
    :func:`kpi.briefing.images.browser_path`; None: no charts); where it cannot draw them the
    document is whole without them and says why."""
    pictures: list[tuple[str, bytes]] = []
    reason = None
    rendered = images.Rendered((), None)
    if with_charts and browser is not None:
        figs = chart_figures(draft)
        rendered = images.render([f for _, f in figs], draft.lang, browser)
        reason = rendered.reason
        pictures = [
            (caption, png) for (caption, _), png in zip(figs, rendered.images, strict=False)
        ]
    doc = new_document()
    letterhead(doc, draft)
    _title(doc, draft)
    for block in body(draft):
        _block(doc, block)
    _closing(doc, draft)
    _appendix(doc, draft, pictures, reason)
    out = io.BytesIO()
    doc.save(out)
    return Written(out.getvalue(), len(pictures), reason, rendered.startup_s, rendered.render_s)


__all__ = [
    "BODY_PT",
    "DOCX_MIME",
    "Written",
    "appendix_rows",
    "chart_figures",
    "title_lines",
    "write_draft",
]
