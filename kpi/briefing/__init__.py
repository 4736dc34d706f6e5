"""The draft quarterly report in the department's own form, and the leaders' summary.

:func:`kpi.briefing.model.build_draft` reads a quarter through the core (the same cards as the
Overview), :mod:`kpi.briefing.report` writes the report and :mod:`kpi.briefing.summary` the
one- or two-page summary; :mod:`kpi.briefing.images` renders the charts with the system Chromium
and :mod:`kpi.briefing.pdf` converts with LibreOffice. The words live in ``data/briefing/``.
"""
