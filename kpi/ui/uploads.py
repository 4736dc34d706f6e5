"""The upload widget, in the user's language, with the limits of ``kpi.limits``.

``file_input(kind, lang, key, *, label=None, help=None) -> UploadedFile | None`` draws a file
picker for one kind of upload (``template``: the quarterly Excel template; ``report``: a
narrative report, text, Word, PDF or a scan) and returns the file once it passes the checks, or
``None`` (nothing chosen, or a message was shown). It is Streamlit's ``st.file_uploader`` with:

- ``max_upload_size`` from the limits table, and no ``type`` filter of Streamlit's: the type is
  checked here, so that a wrong file gets a message in the user's language (Streamlit's own says
  "text/csv files are not allowed");
- a size line of our own under it ("Tối đa 10,0 MB mỗi tệp • .xlsx, .xls, .ods"), the number
  in the user's notation;
- Streamlit's built-in English texts replaced by CSS scoped to this widget's key (the
  ``st-key-<key>`` class): the "Upload" button reads "Chọn tệp", "Drag and drop a file here"
  reads "Thả tệp vào đây", the "10MB per file • XLSX" line is hidden (ours replaces it), the
  chosen file's size ("24.7KB") is hidden for our caption ("24,7 KB"), and the error on a file
  larger than the limit (which the browser refuses before sending it) reads "Tệp lớn hơn 10,0
  MB".

Used by the Upload page and the report reader's page; each passes its own ``key``.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from kpi.i18n import t
from kpi.limits import UploadLimit, upload_limit


def _css_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def widget_css(key: str, limit: UploadLimit, lang: str) -> str:
    """The CSS that puts this widget's built-in texts in the user's language."""
    scope = f".st-key-{key}"
    button = _css_text(t("uploads.button", lang))
    drop = _css_text(t("uploads.drop_here", lang))
    too_large = _css_text(t("uploads.too_large_short", lang, limit=limit.size_text(lang)))
    return f"""<style>
{scope} [data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
{scope} [data-testid="stFileUploaderDropzone"] > div:has(> span) > span {{ display: none; }}
{scope} [data-testid="stFileUploaderDropzone"] > div:has(> span)::after {{
  content: "{drop}"; font-size: 1rem; }}
{scope} [data-testid="stFileChipName"] + div {{ display: none; }}
{scope} [data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] {{
  font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] > * {{
  display: none; }}
{scope} [data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]::after {{
  content: "{button}"; font-size: 0.875rem; line-height: 1.6; }}
{scope} [data-testid="stFileChip"] [role="alert"] {{ display: none; }}
{scope} [data-testid="stFileChip"]:has([role="alert"])::after {{
  content: "{too_large}"; font-size: 0.75rem; color: #b71c1c; align-self: center;
  padding-right: 0.5rem; }}
</style>"""


def file_input(
    kind: str,
    lang: str,
    key: str,
    *,
    label: str | None = None,
    help: str | None = None,
) -> UploadedFile | None:
    """A file of ``kind`` chosen by the user and within its limits, or None (see the module
    doc). ``label`` defaults to the kind's label in ``kpi/locales/uploads.*.toml``."""
    limit = upload_limit(kind)
    st.html(widget_css(key, limit, lang))
    uploaded = st.file_uploader(
        label or t(f"uploads.label.{kind}", lang),
        key=key,
        help=help,
        max_upload_size=limit.max_mb,
    )
    st.caption(t("uploads.size_line", lang, limit=limit.size_text(lang), types=limit.types_text()))
    if uploaded is None:
        return None
    st.caption(t("uploads.chosen", lang, name=uploaded.name, size=size_text(uploaded.size, lang)))
    if not limit.accepts(uploaded.name):
        st.error(t("uploads.wrong_type", lang, name=uploaded.name, types=limit.types_text()))
        return None
    if uploaded.size > limit.max_bytes:
        st.error(
            t(
                "uploads.too_large",
                lang,
                name=uploaded.name,
                size=size_text(uploaded.size, lang),
                limit=limit.size_text(lang),
            )
        )
        return None
    return uploaded


def size_text(size: int, lang: str) -> str:
    """A file size in the user's notation: ``12,0 MB``, ``24,7 KB``."""
    from kpi.numbers import format_number

    if size < 1048576:
        return format_number(size / 1024, lang, decimals=1) + " KB"
    return format_number(size / 1048576, lang, decimals=1) + " MB"
