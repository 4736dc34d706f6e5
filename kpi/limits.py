"""The one table of upload limits: how large a file may be and which types are taken, per kind
of upload. Every place that limits an upload reads it from here:

- the upload widget (``kpi.ui.uploads.file_input``): its ``max_upload_size``, its own type check
  (a message in the user's language) and the size line shown under it ("tối đa 10,0 MB");
- the importer (``loaders.importer`` refuses a larger template before reading it);
- Streamlit's server limit (``server.maxUploadSize``), set from :func:`server_limit_mb` when the
  app starts (``app.py``), and kept equal in ``.streamlit/config.toml`` (a test checks);
- the reverse proxy example (``deploy/nginx.conf``: ``client_max_body_size``, from
  :func:`proxy_body_size`);
- the README's table of settings.

Kinds: ``template`` (the quarterly Excel template; ``KPI_MAX_UPLOAD_MB``, default 10) and
``report`` (the narrative report read by the report reader: text, Word, PDF or a scan;
``KPI_MAX_REPORT_MB``, default 25, since scans are larger).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from kpi.config import Settings, get_settings
from kpi.numbers import format_number

#: what multipart encoding adds to a file's size on its way through the proxy
PROXY_MARGIN_MB = 1


@dataclass(frozen=True)
class UploadLimit:
    """One kind of upload: the largest file in megabytes and the accepted file types (their
    extensions, lower case, without the dot)."""

    kind: str
    max_mb: int
    types: tuple[str, ...]

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024

    def accepts(self, file_name: str) -> bool:
        """Whether the file's extension is one of the accepted types (case-insensitive)."""
        return PurePath(file_name).suffix.lower().lstrip(".") in self.types

    def size_text(self, lang: str) -> str:
        """The limit in the user's notation: ``10,0 MB`` (vi), ``10.0 MB`` (en)."""
        return format_number(self.max_mb, lang, decimals=1) + " MB"

    def types_text(self) -> str:
        return ", ".join(f".{t}" for t in self.types)


#: accepted types per kind (the sizes come from the settings)
TYPES: dict[str, tuple[str, ...]] = {
    "template": ("xlsx", "xls", "ods"),
    "report": ("pdf", "docx", "txt", "png", "jpg", "jpeg", "tif", "tiff"),
}


def upload_limits(settings: Settings | None = None) -> dict[str, UploadLimit]:
    """Every kind of upload with its limit (see the module doc)."""
    s = settings or get_settings()
    sizes = {"template": s.max_upload_mb, "report": s.max_report_mb}
    return {kind: UploadLimit(kind, sizes[kind], types) for kind, types in TYPES.items()}


def upload_limit(kind: str, settings: Settings | None = None) -> UploadLimit:
    """The limit of one kind (``template`` or ``report``); KeyError for another."""
    return upload_limits(settings)[kind]


def server_limit_mb(settings: Settings | None = None) -> int:
    """Streamlit's ``server.maxUploadSize``: the largest of the kinds, so that each widget's
    own limit (and its message) is what a user meets."""
    return max(limit.max_mb for limit in upload_limits(settings).values())


def proxy_body_size(settings: Settings | None = None) -> str:
    """nginx's ``client_max_body_size`` in front of the app: the server limit plus the
    multipart overhead, e.g. ``26m`` with the defaults."""
    return f"{server_limit_mb(settings) + PROXY_MARGIN_MB}m"
