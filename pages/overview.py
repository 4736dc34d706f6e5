"""Overview: the latest quarter at a glance (key figures as cards)."""

import streamlit as st

from kpi.display import format_change, format_figure
from kpi.i18n import t
from kpi.metrics import changes
from kpi.periods import Period
from kpi.queries import value_of
from kpi.ui import data
from kpi.ui.frame import demo_banner, language
from kpi.units import PROVINCE_CODE

lang = language()
cat = data.catalogue()
st.title(t("overview.title", lang))
periods = data.periods_with_data()
if not periods:
    st.warning(t("app.no_data", lang))
    st.stop()
period = st.selectbox(
    t("overview.period", lang),
    list(reversed(periods)),
    format_func=lambda p: Period.parse(p).label(lang),
    key="overview_period",
)
p = Period.parse(period)
province = data.unit_by_code(PROVINCE_CODE, period)
keys = [i.code for i in cat.key_indicators()]
frame = data.figures(keys, [province.id], p.previous().code, p.code)
demo_banner(frame[frame["period"] == p.code], lang)
st.subheader(t("overview.key_figures", lang))
cols = st.columns(4)
for n, ind in enumerate(cat.key_indicators()):
    now = value_of(frame, ind.code, province.id, p.code)
    before = value_of(frame, ind.code, province.id, p.previous().code)
    diff, share = changes(now and now["value"], before and before["value"])
    cols[n % 4].metric(
        ind.name(lang),
        format_figure(ind, now["value"], lang, now["qualifier"]) if now else t("overview.missing", lang),
        format_change(ind, diff, share, lang),
        delta_color={"up": "normal", "down": "inverse"}.get(ind.direction, "off"),
        help=t("overview.help_definition", lang, definition=ind.definition(lang), unit=ind.unit(lang)),
        border=True,
    )
