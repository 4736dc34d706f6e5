"""The entry point of the web server: the Streamlit app (``app.py``, the frame around every page)
plus the login and logout routes (``kpi/web.py``). Run with ``streamlit run server.py``, which
finds ``app`` below and serves it with uvicorn; ``uvicorn server:app`` works too."""

import streamlit as st

from kpi.web import routes

app = st.App("app.py", routes=routes())
