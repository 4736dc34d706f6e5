"""The entry point of the web server: the Streamlit app (``app.py``, the frame around every page)
plus the login and logout routes (``kpi/web.py``). Run with ``streamlit run server.py``, which
finds ``app`` below and serves it with uvicorn; ``uvicorn server:app`` works too.

The modules every page run needs are imported here, when the server starts, rather than by the
first visitor; the objects they made are then frozen out of the garbage collector's walks
(``gc.freeze``), since they live as long as the process. See ``runner.postScriptGC`` in
``.streamlit/config.toml`` for why collections after each run are off."""

import gc

import streamlit as st

import kpi.page_models
import kpi.ui.briefing
import kpi.ui.dashboard
import kpi.ui.explore  # noqa: F401
from kpi.web import routes

app = st.App("app.py", routes=routes())

gc.collect()
gc.freeze()
