"""Rules of the codebase that a reader relies on."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kpi.config import SETTINGS
from kpi.i18n import strings
from tests.conftest import ROOT

SOURCES = [p for d in ("kpi", "loaders", "pages") for p in (ROOT / d).rglob("*.py")] + [
    ROOT / "app.py",
    ROOT / "server.py",
]
PAGES = sorted((ROOT / "pages").glob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_web_layer_imports_streamlit(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    web = rel in ("app.py", "server.py") or rel.startswith(("pages/", "kpi/ui/"))
    if not web:
        assert "streamlit" not in _imports(path), f"{rel} imports Streamlit"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_starts_with_the_frame_call(path: Path) -> None:
    """A ``pages/`` folder beside app.py makes Streamlit 1.67 run a deep-linked page without
    app.py on a fresh server (its old multipage mode): the frame call, first thing in every
    page, sends such a run through app.py, so language, login and role checks always apply."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom)]
    body = [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    first = body[0]
    assert isinstance(first, ast.Assign), (
        f"{path.name}: the first statement is not ctx = frame.page()"
    )
    call = first.value
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == "frame.page", path.name
    assert [ast.unparse(t) for t in first.targets] == ["ctx"], path.name


def test_every_page_is_registered_in_the_frame() -> None:
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for path in PAGES:
        assert f'"pages/{path.name}"' in app, path.name
    assert not (ROOT / "views").exists()


def test_pages_hold_no_sql() -> None:
    for path in PAGES:
        imported = _imports(path)
        assert "sqlalchemy" not in imported, path.name
        assert not re.search(
            r"\bSELECT\b|\bINSERT\b|\bUPDATE\b", path.read_text(encoding="utf-8")
        ), path.name


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    assert f"`{name}`" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_read_is_declared() -> None:
    used = set(
        re.findall(r'"(KPI_[A-Z_]+)"', (ROOT / "kpi" / "config.py").read_text(encoding="utf-8"))
    )
    assert used == set(SETTINGS)


def test_both_languages_have_the_same_strings() -> None:
    vi, en = strings("vi"), strings("en")
    assert sorted(set(vi) - set(en)) == []
    assert sorted(set(en) - set(vi)) == []
    for key, text in vi.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", en[key])), key


_T_CALL = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']""")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_key_used_exists(path: Path) -> None:
    keys = _T_CALL.findall(path.read_text(encoding="utf-8"))
    missing = [k for k in keys if k not in strings("vi")]
    assert missing == []
