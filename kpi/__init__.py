"""The core of the provincial e-government KPI dashboard.

Nothing in this package (except ``kpi.ui``) imports Streamlit; the pages, the command line and the
loaders call into it.
"""

__version__ = "0.1.0"
