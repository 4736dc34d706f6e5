"""The only Streamlit-aware part of the core: cached data access and shared widgets."""
