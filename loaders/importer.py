"""The import pipeline: parse -> validate -> preview -> commit, and rollback (DESIGN.md section 7).

API for the Upload and History pages (and the command line, which uses the same functions):

- :func:`check_upload` ``(engine, data, file_name, *, period=None, lang="vi") -> ImportReport``:
  reads and validates an uploaded file and plans its changes; **writes nothing**. The report's
  ``status`` is ``valid`` (ready to commit), ``rejected`` (``errors`` is not empty; nothing can be
  written) or ``unchanged`` (this very file, by SHA-256, is already imported: ``batch`` is that
  batch). ``preview`` lists every figure as a :class:`PreviewRow` (indicator, unit, period, old,
  new, status ``new`` | ``revised`` | ``unchanged``, sheet, cell, and the values formatted in the
  report's language); ``preview_table()`` and ``problem_table()`` give them as rows with localised
  column names, ready for ``st.dataframe``.
- :func:`commit_upload` ``(engine, report, actor) -> ImportReport``: stores a ``valid`` report's
  figures as one batch, in one transaction (``kpi.store.commit_figures``: the writers' lock, the
  role check, revisions that keep history). Returns a new report with ``status`` ``imported`` (or
  ``unchanged`` when the same file was committed meanwhile), ``batch`` and the final ``counts``.
  Raises ``kpi.access.PermissionDenied`` for a viewer, ``ValueError`` for a report with errors.
- :func:`import_file` ``(engine, source, *, actor, period=None, dry_run=False, lang="vi")``: both
  steps for a path or bytes (``kpi import``); with ``dry_run`` only the check.
- :func:`rollback` ``(engine, actor, batch_id, lang="vi") -> RollbackReport``: undo a batch;
  ``status`` ``rolled_back`` or ``refused`` (``code`` ``unknown_batch`` | ``already_rolled_back``
  | ``changed_later``, with ``later``: the figures a later batch changed again, each with that
  batch), and a ``message`` in the user's language.
- :func:`batches` ``(engine) -> list[dict]``: every batch, newest first (``kpi.store.batch_rows``).

Every report has ``to_json()`` (the document of ``kpi import --format json``: ``status``,
``errors``, ``warnings``, ``counts`` with ``inserted``/``revised``/``unchanged``, ``batch``, and
``file``, ``sha256``, ``period``) and ``exit_code`` (0 imported, valid or unchanged; 1 rejected;
2 the file could not be read at all, ``readable`` False).

Nothing is written while any error stands. A file whose batch was rolled back counts as new
again. Figures carry their sheet and cell (``Figure.source_sheet``/``source_cell``); a value
typed as text keeps that text (``source_text``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from kpi.access import Actor, PermissionDenied
from kpi.admin import apply_activation
from kpi.catalogue import Catalogue, load_catalogue
from kpi.config import get_settings
from kpi.db import session_scope
from kpi.display import format_figure
from kpi.i18n import t
from kpi.periods import Period
from kpi.store import (
    BatchInfo,
    Figure,
    RollbackRefused,
    batch_rows,
    commit_figures,
    find_committed_batch,
    plan_changes,
    rollback_batch,
)
from kpi.units import UnitInfo, all_units, district_codes
from kpi.validation import Problem, make_problem, scope_problems, validate
from loaders.workbook import SheetLayout, WorkbookError, read_workbook

OK_STATUSES = ("imported", "valid", "unchanged")


@dataclass(frozen=True)
class PreviewRow:
    """One figure of an upload and what storing it changes."""

    indicator: str
    indicator_name: str
    unit_code: str
    unit_name: str
    period: str
    old: Decimal | None
    old_qualifier: str | None
    new: Decimal
    qualifier: str
    status: str  # new | revised | unchanged
    sheet: str | None
    cell: str | None
    lang: str = "vi"

    @property
    def old_text(self) -> str:
        """The old value as the user reads it (``–`` when there was none)."""
        ind = load_catalogue()[self.indicator]
        return format_figure(ind, self.old, self.lang, self.old_qualifier or "exact")

    @property
    def new_text(self) -> str:
        return format_figure(load_catalogue()[self.indicator], self.new, self.lang, self.qualifier)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "unit": self.unit_code,
            "period": self.period,
            "old": None if self.old is None else str(self.old),
            "old_qualifier": self.old_qualifier,
            "new": str(self.new),
            "qualifier": self.qualifier,
            "status": self.status,
            "sheet": self.sheet,
            "cell": self.cell,
        }


@dataclass
class ImportReport:
    """Everything an upload produced: status, problems, counts, batch, preview."""

    status: str  # imported | valid | rejected | unchanged
    file_name: str | None
    sha256: str | None
    lang: str = "vi"
    period: str | None = None
    template_version: str | None = None
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"inserted": 0, "revised": 0, "unchanged": 0}
    )
    batch: int | None = None
    preview: list[PreviewRow] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    layouts: list[SheetLayout] = field(default_factory=list)
    #: derived figures typed in and found equal to their parts (not stored)
    checked: int = 0
    readable: bool = True

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def exit_code(self) -> int:
        if self.ok:
            return 0
        return 1 if self.readable else 2

    def status_label(self) -> str:
        return t(f"import.status.{self.status}", self.lang)

    def summary(self) -> str:
        text = t(
            "import.summary.counts",
            self.lang,
            errors=len(self.errors),
            warnings=len(self.warnings),
            **self.counts,
        )
        if self.batch is not None:
            text += " " + t("import.summary.batch", self.lang, batch=self.batch)
        if self.status in ("rejected", "valid"):
            text += " " + t("import.summary.nothing_written", self.lang)
        return text

    def to_json(self, *, include_preview: bool = False) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "status": self.status,
            "file": self.file_name,
            "sha256": self.sha256,
            "period": self.period,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "counts": dict(self.counts),
            "batch": self.batch,
        }
        if include_preview:
            doc["changes"] = [r.to_dict() for r in self.preview]
        return doc

    def problem_table(self) -> list[dict[str, str]]:
        """The problems as rows with localised column names (errors first)."""
        cols = ("severity", "sheet", "cell", "message", "found", "expected", "code")
        return [
            {
                t(f"import.column.{c}", self.lang): (
                    t(f"import.severity.{p.severity}", self.lang)
                    if c == "severity"
                    else (getattr(p, c) or "")
                )
                for c in cols
            }
            for p in self.problems
        ]

    def preview_table(
        self, statuses: Sequence[str] = ("new", "revised", "unchanged")
    ) -> list[dict[str, str]]:
        """The planned changes as rows with localised column names."""
        lang = self.lang
        return [
            {
                t("import.column.status", lang): t(f"import.change.{r.status}", lang),
                t("import.column.indicator", lang): r.indicator_name,
                t("import.column.unit", lang): r.unit_name,
                t("import.column.period", lang): Period.parse(r.period).label(lang),
                t("import.column.old", lang): r.old_text,
                t("import.column.new", lang): r.new_text,
                t("import.column.sheet", lang): r.sheet or "",
                t("import.column.cell", lang): r.cell or "",
            }
            for r in self.preview
            if r.status in statuses
        ]


def _unreadable(
    code: str,
    file_name: str | None,
    sha: str | None,
    lang: str,
    found: str | None = None,
    expected: str | None = None,
) -> ImportReport:
    problem = make_problem(code, lang, found=found, expected=expected)
    return ImportReport("rejected", file_name, sha, lang, problems=[problem], readable=False)


def _limit_text(max_bytes: int) -> str:
    return f"{max_bytes / 1048576:g} MB"


def check_upload(
    engine: Engine,
    data: bytes,
    file_name: str | None,
    *,
    period: Period | str | None = None,
    lang: str = "vi",
    max_bytes: int | None = None,
    catalogue: Catalogue | None = None,
    actor: Actor | None = None,
) -> ImportReport:
    """Read, validate and plan an upload; nothing is written (see the module doc). With an
    ``actor``, figures outside their scope are errors at their cells."""
    limit = get_settings().max_upload_bytes if max_bytes is None else max_bytes
    sha = hashlib.sha256(data).hexdigest()
    with session_scope(engine) as session:
        units = all_units(session)
        cat = catalogue or apply_activation(load_catalogue(), session)
    try:
        content = read_workbook(data, cat.indicators.keys(), units, max_bytes=limit)
    except WorkbookError as exc:
        expected = _limit_text(limit) if exc.code == "file_too_large" else None
        found = (
            exc.found
            if exc.code in ("file_too_large", "unsupported_format", "sheet_too_large")
            else None
        )
        return _unreadable(exc.code, file_name, sha, lang, found, expected)
    checked = validate(
        content.entries,
        content.metadata,
        content.issues,
        catalogue=cat,
        units=units,
        chosen_period=period,
        lang=lang,
        has_metadata=content.has_metadata,
        sheet_order=content.sheet_names,
    )
    if actor is not None and not actor.province_wide:
        with session_scope(engine) as session:
            districts = district_codes(session)
        checked.problems.extend(
            scope_problems(checked.figures, actor, districts, checked.units_by_id, lang)
        )
    report = ImportReport(
        "rejected",
        file_name,
        sha,
        lang,
        period=checked.period.code if checked.period else None,
        template_version=checked.template_version,
        problems=checked.problems,
        layouts=content.layouts,
        checked=len(checked.checked),
    )
    if checked.errors:
        return report
    with session_scope(engine) as session:
        plan = plan_changes(session, checked.figures)
        earlier = find_committed_batch(session, sha)
    report.figures = list(checked.figures)
    report.preview = _preview(plan.changes, cat, checked.units_by_id, lang)
    if earlier is not None:
        report.status = "unchanged"
        report.batch = earlier.id
        report.counts = {"inserted": 0, "revised": 0, "unchanged": len(checked.figures)}
    else:
        report.status = "valid"
        report.counts = plan.counts
    return report


def _preview(
    changes: Sequence[Any], cat: Catalogue, units: dict[int, UnitInfo], lang: str
) -> list[PreviewRow]:
    rows = []
    for c in changes:
        f: Figure = c.figure
        ind = cat[f.indicator_code]
        unit = units[f.unit_id]
        rows.append(
            PreviewRow(
                indicator=f.indicator_code,
                indicator_name=ind.name(lang),
                unit_code=unit.code,
                unit_name=unit.name,
                period=f.period,
                old=c.old_value,
                old_qualifier=c.old_qualifier,
                new=f.value,
                qualifier=f.qualifier,
                status=c.status,
                sheet=f.source_sheet,
                cell=f.source_cell,
                lang=lang,
            )
        )
    return rows


def commit_upload(engine: Engine, report: ImportReport, actor: Actor) -> ImportReport:
    """Store a checked report's figures as one batch, in one transaction."""
    if report.status not in ("valid", "unchanged") or report.errors:
        raise ValueError(f"a {report.status} report cannot be committed")
    info = BatchInfo(
        "excel",
        file_name=report.file_name,
        sha256=report.sha256,
        template_version=report.template_version,
        period=report.period,
    )
    with session_scope(engine) as session:
        # The first statement takes the writers' lock: it sees every earlier commit.
        result = commit_figures(session, actor, info, report.figures)
    return replace(report, status=result.status, batch=result.batch_id, counts=dict(result.counts))


def import_file(
    engine: Engine,
    source: Path | str | bytes,
    *,
    actor: Actor,
    file_name: str | None = None,
    period: Period | str | None = None,
    dry_run: bool = False,
    lang: str = "vi",
    max_bytes: int | None = None,
    catalogue: Catalogue | None = None,
) -> ImportReport:
    """Check a file and, unless ``dry_run``, commit it (``kpi import``)."""
    limit = get_settings().max_upload_bytes if max_bytes is None else max_bytes
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        file_name = file_name or path.name
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise OSError(str(path))
        except OSError:
            return _unreadable("file_not_found", file_name, None, lang, found=str(path))
        if size > limit:
            return _unreadable(
                "file_too_large",
                file_name,
                None,
                lang,
                found=f"{size / 1048576:.1f} MB",
                expected=_limit_text(limit),
            )
        data = path.read_bytes()
    report = check_upload(
        engine,
        data,
        file_name,
        period=period,
        lang=lang,
        max_bytes=limit,
        catalogue=catalogue,
        actor=actor,
    )
    if dry_run or report.status != "valid":
        return report
    return commit_upload(engine, report, actor)


# --------------------------------------------------------------------------------------------
# Rollback and the list of batches
# --------------------------------------------------------------------------------------------


@dataclass
class RollbackReport:
    status: str  # rolled_back | refused
    batch: int
    message: str
    code: str | None = None  # unknown_batch | already_rolled_back | changed_later
    counts: dict[str, int] = field(default_factory=dict)
    later: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "rolled_back" else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "batch": self.batch,
            "code": self.code,
            "counts": dict(self.counts),
            "later": list(self.later),
            "message": self.message,
        }


def rollback(
    engine: Engine,
    actor: Actor,
    batch_id: int,
    lang: str = "vi",
    catalogue: Catalogue | None = None,
) -> RollbackReport:
    """Undo a batch: the figures current before it come back; refused when a later batch
    changed some of the same figures (roll that one back first). Nothing is written when
    refused."""
    try:
        with session_scope(engine) as session:
            counts = rollback_batch(session, actor, batch_id)
    except PermissionDenied as exc:
        code = "not_own_batch" if exc.action == "rollback_any" else "not_allowed"
        message = t(f"import.rollback.{code}", lang, batch=batch_id, role=actor.role)
        return RollbackReport("refused", batch_id, message, code)
    except RollbackRefused as exc:
        cat = catalogue or load_catalogue()
        with session_scope(engine) as session:
            units = {u.id: u for u in all_units(session)}
        later = []
        for d in exc.details:
            unit = units.get(int(d["unit_id"]))
            later.append(
                {
                    "indicator": d["indicator"],
                    "indicator_name": cat[d["indicator"]].name(lang)
                    if d["indicator"] in cat
                    else d["indicator"],
                    "unit": unit.code if unit else str(d["unit_id"]),
                    "unit_name": unit.name if unit else "",
                    "period": d["period"],
                    "batch": d["batch"],
                }
            )
        items = "; ".join(
            t(
                "import.rollback.later_item",
                lang,
                indicator=x["indicator_name"],
                unit=x["unit_name"],
                period=Period.parse(x["period"]).label(lang),
                batch=x["batch"],
            )
            for x in later[:10]
        ) + ("; …" if len(later) > 10 else "")
        message = t(
            f"import.rollback.{exc.code}", lang, batch=batch_id, count=len(later), later=items
        )
        return RollbackReport("refused", batch_id, message, exc.code, later=later)
    message = t("import.rollback.done", lang, batch=batch_id, **counts)
    return RollbackReport("rolled_back", batch_id, message, counts=counts)


def batches(engine: Engine) -> list[dict[str, Any]]:
    """Every import batch, newest first (the History page and ``kpi batches``)."""
    with session_scope(engine) as session:
        return batch_rows(session)
