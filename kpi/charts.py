"""Figure builders for the leaders' pages: they return Plotly figures and never draw.

Every figure is readable in either language (Plotly's separators match the numbers in the
tables), in print and for colour-blind readers: the Okabe-Ito palette, a dash style per line
and a pattern on bars carry the distinctions that colour alone would. Levels and stocks are
lines, flows are bars; ratios show their numerator and denominator on hover; targets are
dashed lines; approximate figures are drawn hollow (lines) or hatched (bars) and years that
lack a quarter are dotted and starred. Legends name indicators in words, never by code.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kpi.catalogue import Catalogue, IndicatorDef
from kpi.dashboard import INCOMPLETE_MARK, HeatMatrix, Ranking, Tile
from kpi.i18n import t
from kpi.numbers import format_number, plotly_separators

#: Okabe & Ito (2008), colour-blind safe; yellow last (it fades on white paper)
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
REFERENCE_COLOUR = "#444444"
AVERAGE_COLOUR = "#D55E00"
MISSING_FILL = "#F2F2F2"
#: light to dark blue: monotone in grey, so a printed heat map still reads
SEQUENTIAL = "Blues"
_BLUES = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)
GRID = "#dddddd"
#: axis numbers with the language's marks and no SI suffix ("40.000", not "40k")
TICKS = ",~f"
FONT = "Source Sans, Noto Sans, Arial, sans-serif"
APPROX_PATTERN = "/"
INCOMPLETE_PATTERN = "."


def colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def wrap(text: str, width: int = 42) -> str:
    """Long Vietnamese names on several legend lines."""
    return "<br>".join(textwrap.wrap(text, width)) or text


def base_layout(lang: str, *, height: int = 380, title: str | None = None) -> dict[str, Any]:
    """The layout every chart shares (no template: building and sending one is slow)."""
    layout: dict[str, Any] = {
        "separators": plotly_separators(lang),
        "font": {"family": FONT, "size": 14, "color": "#222222"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        "hoverlabel": {"namelength": -1, "font": {"family": FONT}},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {"gridcolor": GRID, "linecolor": "#888888", "tickformat": TICKS},
        "yaxis": {
            "gridcolor": GRID,
            "linecolor": "#888888",
            "zerolinecolor": "#888888",
            "tickformat": TICKS,
        },
        "shapes": [],
        "annotations": [],
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return layout


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """One validated figure from plain dicts (far faster than adding to a figure piece by piece)."""
    return go.Figure({"data": data, "layout": layout})


def _percent(inds: Sequence[IndicatorDef]) -> bool:
    return all(i.percent or i.fraction for i in inds)


def _mark(row: Mapping[str, object]) -> str:
    """The pattern of a bar: hatched when approximate, dotted when a part is missing."""
    if str(row["qualifier"]) != "exact":
        return APPROX_PATTERN
    if not bool(row["complete"]):
        return INCOMPLETE_PATTERN
    return ""


def _symbol(row: Mapping[str, object]) -> str:
    """The marker of a point on a line: hollow when approximate or incomplete."""
    return "circle" if str(row["qualifier"]) == "exact" and bool(row["complete"]) else "circle-open"


def _hover_lines(
    ind: IndicatorDef, catalogue: Catalogue, row: Mapping[str, object], lang: str
) -> str:
    lines = [str(row["text"])]
    qualifier = str(row["qualifier"])
    if qualifier != "exact" and not math.isnan(float(str(row["value"]))):
        lines.append(t(f"dashboard.chart.qualifier.{qualifier}", lang))
    if not bool(row["complete"]) and not math.isnan(float(str(row["value"]))):
        lines.append(t("dashboard.chart.incomplete", lang))
    num, den = float(str(row["numerator"])), float(str(row["denominator"]))
    if ind.is_ratio and not math.isnan(num) and not math.isnan(den):
        decimals = catalogue[ind.numerator[0]].decimals
        lines.append(
            t(
                "dashboard.chart.numerator",
                lang,
                value=format_number(num, lang, decimals=decimals),
                name=" + ".join(catalogue[c].name(lang) for c in ind.numerator),
            )
        )
        lines.append(
            t(
                "dashboard.chart.denominator",
                lang,
                value=format_number(den, lang, decimals=decimals),
                name=" + ".join(catalogue[c].name(lang) for c in ind.denominator),
            )
        )
    if row.get("source"):
        lines.append(wrap(t("dashboard.chart.source", lang, source=row["source"]), 70))
    return "<br>".join(lines)


def _pattern(rows: Sequence[Mapping[str, object]]) -> dict[str, Any]:
    return {
        "shape": [_mark(r) for r in rows],
        "fillmode": "overlay",
        "fgcolor": "#ffffff",
        "solidity": 0.45,
    }


def trend_chart(
    long: pd.DataFrame,
    catalogue: Catalogue,
    lang: str,
    *,
    freq: str = "quarter",
    targets: Mapping[str, Mapping[str, float]] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Indicators over quarters or years (the rows of :func:`kpi.dashboard.trend_long`).

    Flows are grouped bars, everything else lines with markers, one colour and one dash per
    indicator. A missing quarter is a gap (never a zero). Targets are dashed lines over the
    periods of their year (for flows only on yearly charts: a year's target is not a
    quarter's). Periods that lack a quarter or a unit get a star on the axis.
    """
    codes = list(dict.fromkeys(long["indicator"]))
    inds = [catalogue[c] for c in codes]
    labels = list(dict.fromkeys(long["label"]))
    starred = {
        label: f"{label}{INCOMPLETE_MARK}"
        for label in set(
            long.loc[(~long["complete"].astype(bool)) & long["value"].notna(), "label"]
        )
    }
    axis = [starred.get(label, label) for label in labels]
    percent = _percent(inds)
    data: list[dict[str, Any]] = []
    for i, ind in enumerate(inds):
        rows = long[long["indicator"] == ind.code].to_dict("records")
        x = [starred.get(r["label"], r["label"]) for r in rows]
        name = wrap(ind.name(lang))
        trace: dict[str, Any] = {
            "x": x,
            "y": [None if math.isnan(r["plot"]) else r["plot"] for r in rows],
            "name": name,
            "legendgroup": ind.code,
            "customdata": [_hover_lines(ind, catalogue, r, lang) for r in rows],
            "hovertemplate": "<b>%{x}</b><br>%{customdata}<extra>" + name + "</extra>",
        }
        if ind.kind == "flow":
            trace |= {
                "type": "bar",
                "marker": {
                    "color": colour(i),
                    "line": {"color": colour(i), "width": 1},
                    "pattern": _pattern(rows),
                },
            }
        else:
            trace |= {
                "type": "scatter",
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": colour(i), "dash": DASHES[i % len(DASHES)], "width": 2.5},
                "marker": {
                    "symbol": [_symbol(r) for r in rows],
                    "size": 9,
                    "color": colour(i),
                    "line": {"width": 2, "color": colour(i)},
                },
            }
        data.append(trace)
        drawn = (targets or {}).get(ind.code, {})
        if drawn and (ind.kind != "flow" or freq == "year"):
            target_name = t("dashboard.chart.target", lang, name=ind.name(lang))
            scale = 100 if ind.fraction else 1
            data.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": [
                        drawn[r["period"]] * scale if r["period"] in drawn else None for r in rows
                    ],
                    "name": wrap(target_name),
                    "legendgroup": ind.code,
                    "mode": "lines+markers",
                    "connectgaps": False,
                    "line": {"color": colour(i), "dash": "dash", "width": 1.5},
                    "marker": {
                        "symbol": "line-ew-open",
                        "size": 28,
                        "line": {"width": 3, "color": colour(i)},
                    },
                    "opacity": 0.85,
                    "hovertemplate": "%{x}: %{y}<extra>" + target_name + "</extra>",
                }
            )
    layout = base_layout(lang, height=400, title=title)
    layout |= {"barmode": "group", "bargap": 0.25}
    layout["xaxis"] |= {"type": "category", "categoryorder": "array", "categoryarray": axis}
    bars = any(i.kind == "flow" for i in inds)
    layout["yaxis"] |= {
        "title": {"text": "%" if percent else (inds[0].unit(lang) if inds else "")},
        "ticksuffix": "%" if percent else "",
        "rangemode": "tozero" if bars else "normal",
    }
    layout["xaxis"] |= {"automargin": True, "tickangle": -45 if len(labels) > 8 else 0}
    notes = _notes(long, lang)
    if notes:  # the key to the marks, above the legend
        layout["title"] = {
            "text": notes,
            "font": {"size": 12, "color": "#555555"},
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 6},
            "automargin": True,
        }
    return figure(data, layout)


def _notes(long: pd.DataFrame, lang: str) -> str:
    """The key to the marks used, when any is used."""
    shown = long[long["value"].notna()]
    notes = []
    if (shown["qualifier"] != "exact").any():
        notes.append(t("dashboard.chart.note_approx", lang))
    if (~shown["complete"].astype(bool)).any():
        notes.append(t("dashboard.chart.note_incomplete", lang, mark=INCOMPLETE_MARK))
    return " · ".join(notes)


def ranking_chart(
    r: Ranking,
    ind: IndicatorDef,
    lang: str,
    *,
    title: str | None = None,
    whole: str | None = None,
    parts: str | None = None,
) -> go.Figure:
    """Units ranked on one indicator (horizontal bars, best at the top), with the plain
    average of the units as a reference line, and the province figure as a second line when
    it is on the same scale (ratios, levels, per commune) or else in a note above the bars.
    ``whole`` names the unit the ranked ones belong to (default: the province); ``parts``
    says what that total holds beyond the bars (:func:`kpi.dashboard.province_total_note`:
    the districts plus the provincial agencies), so that a total above bars that add up to
    less is never a riddle. Each bar's figure stands in the right margin and the reference
    lines' labels above the plot, so no figure is ever hidden by a line."""
    whole_text = (
        t("dashboard.chart.province", lang, value=r.province_text)
        if whole is None
        else t("dashboard.chart.whole", lang, name=whole, value=r.province_text)
    )
    if parts:
        whole_text = parts
    shown = r.table[r.table["shown"].notna()].iloc[::-1]
    rows = shown.to_dict("records")
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": [row["shown"] for row in rows],
        "y": [row["label"] for row in rows],
        "marker": {"color": OKABE_ITO[0], "pattern": _pattern(rows)},
        "textposition": "none",
        "customdata": [
            [row["shown_text"], row["text"], row["communes"], row["source"]] for row in rows
        ],
        "hovertemplate": _ranking_hover(r, lang),
        "name": ind.name(lang),
        "showlegend": False,
    }
    percent = (ind.fraction or ind.percent) and not r.per_commune
    layout = base_layout(lang, height=max(260, 40 * len(rows) + 110), title=title)
    # Each bar's figure stands in the right margin, level with its bar: outside the plot,
    # where no reference line runs.
    widest = max((len(str(row["shown_text"])) for row in rows), default=0)
    layout["margin"] = {"l": 10, "r": 16 + 8 * widest, "t": 70, "b": 40}
    for row in rows:
        layout["annotations"].append(
            {
                "text": str(row["shown_text"]),
                "xref": "paper",
                "yref": "y",
                "x": 1,
                "y": row["label"],
                "xanchor": "left",
                "xshift": 6,
                "showarrow": False,
                "font": {"size": 13, "color": "#222222"},
            }
        )
    layout["xaxis"] |= {
        "title": {"text": "%" if percent else ind.unit(lang)},
        "ticksuffix": "%" if percent else "",
        "rangemode": "tozero",
    }
    layout["yaxis"] |= {"automargin": True, "type": "category"}
    if r.average is not None:
        _reference(
            layout,
            r.average,
            t("dashboard.chart.average", lang, value=r.average_text),
            AVERAGE_COLOUR,
            "dash",
            0,
        )
    if r.province_value is not None and r.comparable:
        _reference(layout, r.province_value, whole_text, REFERENCE_COLOUR, "solid", 1)
    elif r.province_text and r.province_text != "–":
        # on several short lines, so that a phone shows it whole ("= 9 huyện … + các cơ quan")
        lines = textwrap.wrap(whole_text, 40)
        layout["margin"]["t"] += 18 * (len(lines) - 1)
        layout["height"] += 18 * (len(lines) - 1)
        layout["annotations"].append(
            {
                "text": "<br>".join(lines),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13, "color": REFERENCE_COLOUR},
            }
        )
    return figure([bar], layout)


def _ranking_hover(r: Ranking, lang: str) -> str:
    lines = ["<b>%{y}</b>", "%{customdata[0]}"]
    if r.per_commune:
        lines.append(t("dashboard.chart.per_commune_hover", lang))
    lines.append("%{customdata[3]}")
    return "<br>".join(lines) + "<extra></extra>"


def _reference(
    layout: dict[str, Any], x: float, label: str, colour_: str, dash: str, slot: int
) -> None:
    """A vertical reference line across the plot, labelled above it."""
    layout["shapes"].append(
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"color": colour_, "dash": dash, "width": 2},
        }
    )
    layout["annotations"].append(
        {
            "x": x,
            "y": 1.0 + 0.1 * slot,
            "xref": "x",
            "yref": "paper",
            "text": label,
            "showarrow": False,
            "xanchor": "left" if slot == 0 else "right",
            "yanchor": "bottom",
            "font": {"size": 12, "color": colour_},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    )


def heat_map(m: HeatMatrix, ind: IndicatorDef, lang: str, *, title: str | None = None) -> go.Figure:
    """Units x quarters, coloured light to dark by value (monotone in grey for print), each
    cell with its figure; empty cells say whether the figure is missing or the unit did not
    exist."""
    pct = ind.fraction or ind.percent
    trace = {
        "type": "heatmap",
        "z": [list(row) for row in m.z],
        "x": list(m.columns),
        "y": list(m.rows),
        "text": [list(row) for row in m.text],
        "customdata": [list(row) for row in m.hover],
        # No fixed text size: Plotly sizes each figure to fit its cell, and leaves it out
        # when it cannot (the hover still has it); on a phone the page hides the figures
        # altogether (kpi.ui.dashboard.NARROW_CSS) and the hover shows them.
        "texttemplate": "%{text}",
        "hovertemplate": "<b>%{y}</b><br>%{x}: %{customdata}<extra></extra>",
        "colorscale": SEQUENTIAL,
        "hoverongaps": True,
        "xgap": 2,
        "ygap": 2,
        "colorbar": {
            "title": {"text": "%" if pct else ind.unit(lang)},
            "ticksuffix": "%" if pct else "",
            "tickformat": TICKS,
            "thickness": 12,
        },
    }
    layout = base_layout(lang, height=max(280, 34 * len(m.rows) + 120), title=title)
    layout["plot_bgcolor"] = MISSING_FILL
    layout["xaxis"] |= {"type": "category", "side": "top", "showgrid": False}
    layout["yaxis"] |= {
        "type": "category",
        "autorange": "reversed",
        "showgrid": False,
        "automargin": True,
    }
    return figure([trace], layout)


def _fill(value: float | None, low: float, high: float) -> tuple[str, str]:
    """Tile colour and a legible text colour for it."""
    if value is None:
        return MISSING_FILL, "#222222"
    share = 0.5 if high <= low else (value - low) / (high - low)
    i = min(len(_BLUES) - 1, max(1, round(1 + share * (len(_BLUES) - 2))))
    return _BLUES[i], ("#ffffff" if i >= 5 else "#111111")


TILE_SIZE = 0.92
TILE_ASPECT = 0.85


def tile_map(
    cells: Sequence[Tile], ind: IndicatorDef, lang: str, *, title: str | None = None
) -> go.Figure:
    """The districts as tiles laid out roughly as they lie (no map service): each tile
    coloured by its figure (light to dark), with its short name and the figure; a missing
    figure is a grey tile with a dash."""
    values = [c.value for c in cells if c.value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    layout = base_layout(lang, height=440, title=title)
    half_w, half_h = TILE_SIZE / 2, TILE_SIZE / 2 * TILE_ASPECT
    for c in cells:
        fill, ink = _fill(c.value, low, high)
        layout["shapes"].append(
            {
                "type": "rect",
                "x0": c.column - half_w,
                "x1": c.column + half_w,
                "y0": -c.row - half_h,
                "y1": -c.row + half_h,
                "line": {"color": "#ffffff", "width": 3},
                "fillcolor": fill,
                "layer": "below",
            }
        )
        layout["annotations"].append(
            {
                "x": c.column,
                "y": -c.row,
                "text": "<br>".join(textwrap.wrap(c.label, 11, break_long_words=False))
                + f"<br><b>{c.text}</b>",
                "showarrow": False,
                "font": {"size": 13, "color": ink},
            }
        )
    pct = ind.fraction or ind.percent
    # An invisible point on each tile carries its hover text and the colour bar.
    points = {
        "type": "scatter",
        "x": [c.column for c in cells],
        "y": [-c.row for c in cells],
        "mode": "markers",
        "marker": {
            "size": 60,
            "opacity": 0,
            "color": [c.value if c.value is not None else low for c in cells],
            "colorscale": [[i / (len(_BLUES) - 2), col] for i, col in enumerate(_BLUES[1:])],
            "cmin": low,
            "cmax": high,
            "showscale": bool(values),
            "colorbar": {"thickness": 12, "ticksuffix": "%" if pct else "", "tickformat": TICKS},
        },
        "customdata": [[c.name, c.text] for c in cells],
        "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        "showlegend": False,
    }
    layout["xaxis"] = {"visible": False, "range": [-0.6, 2.6], "fixedrange": True}
    layout["yaxis"] = {"visible": False, "range": [-3.55, 0.55], "fixedrange": True}
    return figure([points], layout)
