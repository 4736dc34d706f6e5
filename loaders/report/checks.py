"""Consistency checks of a reading: stated totals against their parts (516 = 306 + 210, never
stored), parts never above their totals (the catalogue's rules)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kpi.catalogue import Catalogue
from loaders.report.model import Check, Proposal


def run_checks(
    cat: Catalogue,
    proposals: Sequence[Proposal],
    stated: dict[str, tuple[Decimal, int]],
    province: str | None,
) -> list[Check]:
    """``stated``: derived figures the text states (code -> value, line), checked, not stored.
    Proposals a failed check involves are flagged for review."""
    by_code = {p.indicator: p for p in proposals if p.value is not None and p.unit == province}
    checks: list[Check] = []
    for code, (value, line) in stated.items():
        ind = cat[code]
        if not ind.formula:
            continue
        parts = ind.formula
        if all(p in by_code for p in parts):
            total = sum((by_code[p].value or Decimal(0) for p in parts), Decimal(0))
            status = "ok" if total == value else "failed"
            if status == "failed":
                for p in parts:
                    _flag(by_code[p], f"check_failed:{code}")
        else:
            total, status = None, "incomplete"
        checks.append(Check(f"sum:{code}", status, code, parts, total, value, line))
    for rule in cat.rules:
        if rule.total not in by_code:
            continue
        total_p = by_code[rule.total]
        found = [p for p in rule.parts if p in by_code]
        if not found:
            continue
        values = [by_code[p].value or Decimal(0) for p in found]
        if rule.kind == "part_le_total":
            ok = all(v <= (total_p.value or 0) for v in values)
        elif rule.kind == "parts_le_total":
            ok = sum(values, Decimal(0)) <= (total_p.value or 0)
        else:  # parts_eq_total: only when every part is there
            if len(found) < len(rule.parts):
                continue
            ok = sum(values, Decimal(0)) == total_p.value
        status = "ok" if ok else "failed"
        if "value_from_parts" in total_p.reasons:
            status = "total_from_parts"  # the total was made from these parts: nothing to check
        elif not ok:
            _flag(total_p, f"check_failed:{rule.code}")
            for p in found:
                _flag(by_code[p], f"check_failed:{rule.code}")
        checks.append(
            Check(
                rule.code,
                status,
                rule.total,
                tuple(found),
                sum(values, Decimal(0)),
                total_p.value,
                total_p.evidence.line,
            )
        )
    return checks


def value_from_parts(
    cat: Catalogue, code: str, proposals: Sequence[Proposal], province: str | None
) -> Decimal | None:
    """A total whose digits did not survive, from its parts when a rule says they make it up
    (certificates: organisations + individuals)."""
    by_code = {p.indicator: p for p in proposals if p.value is not None and p.unit == province}
    for rule in cat.rules:
        if (
            rule.total == code
            and rule.kind in ("parts_eq_total", "parts_le_total")
            and all(p in by_code for p in rule.parts)
        ):
            return sum((by_code[p].value or Decimal(0) for p in rule.parts), Decimal(0))
    return None


def _flag(p: Proposal, reason: str) -> None:
    p.needs_review = True
    if reason not in p.reasons:
        p.reasons.append(reason)
