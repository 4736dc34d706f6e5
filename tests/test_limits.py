"""One table of upload limits (``kpi.limits``), and every place that uses it: the widget, the
importer, Streamlit's server limit, the proxy's number, the README."""

from __future__ import annotations

import tomllib

import pytest

from kpi.config import get_settings
from kpi.limits import proxy_body_size, server_limit_mb, upload_limit, upload_limits
from kpi.ui.uploads import widget_css
from tests.conftest import ROOT
from tests.support.apptest import open_app


def test_the_table_with_the_default_settings() -> None:
    limits = upload_limits(get_settings({}))
    assert {k: (v.max_mb, v.types) for k, v in limits.items()} == {
        "template": (10, ("xlsx", "xls", "ods")),
        "report": (25, ("pdf", "docx", "txt", "png", "jpg", "jpeg", "tif", "tiff")),
    }
    assert server_limit_mb(get_settings({})) == 25
    assert proxy_body_size(get_settings({})) == "26m"


@pytest.mark.parametrize(
    ("env", "template", "report", "server", "proxy"),
    [
        ({"KPI_MAX_UPLOAD_MB": "12"}, 12, 25, 25, "26m"),
        ({"KPI_MAX_UPLOAD_MB": "40"}, 40, 25, 40, "41m"),
        ({"KPI_MAX_REPORT_MB": "60"}, 10, 60, 60, "61m"),
    ],
)
def test_settings_move_every_number_together(
    env: dict[str, str], template: int, report: int, server: int, proxy: str
) -> None:
    s = get_settings(env)
    assert upload_limit("template", s).max_bytes == template * 1048576
    assert upload_limit("report", s).max_mb == report
    assert server_limit_mb(s) == server and proxy_body_size(s) == proxy


@pytest.mark.parametrize("value", ["0", "-5", "ten", "2.5"])
def test_a_bad_limit_setting_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="KPI_MAX_REPORT_MB"):
        get_settings({"KPI_MAX_REPORT_MB": value})


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("template", "bao-cao.xlsx", True),
        ("template", "BAO-CAO.XLS", True),
        ("template", "bao-cao.ods", True),
        ("template", "bao-cao.xlsm", False),
        ("template", "bao-cao.csv", False),
        ("template", "xlsx", False),
        ("report", "bao-cao-quy-1.PDF", True),
        ("report", "scan.tiff", True),
        ("report", "bao-cao.doc", False),
    ],
)
def test_accepted_types(kind: str, name: str, ok: bool) -> None:
    assert upload_limit(kind, get_settings({})).accepts(name) is ok


def test_the_size_in_the_users_notation() -> None:
    limit = upload_limit("template", get_settings({"KPI_MAX_UPLOAD_MB": "12"}))
    assert limit.size_text("vi") == "12,0 MB" and limit.size_text("en") == "12.0 MB"


def test_the_streamlit_config_file_agrees_with_the_table() -> None:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        assert tomllib.load(fh)["server"]["maxUploadSize"] == server_limit_mb(get_settings({}))


def test_the_readme_states_the_numbers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    s = get_settings({})
    assert f"`client_max_body_size {proxy_body_size(s)}`" in readme
    for limit in upload_limits(s).values():
        assert f"| `{limit.kind}` | {limit.max_mb} MB |" in readme, limit.kind


def test_the_app_sets_streamlits_server_limit_from_the_table(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit import config

    before = config.get_option("server.maxUploadSize")
    monkeypatch.setenv("KPI_MAX_REPORT_MB", "40")
    try:
        open_app("vi")
        assert config.get_option("server.maxUploadSize") == 40
    finally:
        config.set_option("server.maxUploadSize", before)


def test_the_widget_css_replaces_the_built_in_english() -> None:
    css = widget_css("upload_file", upload_limit("template", get_settings({})), "vi")
    assert '.st-key-upload_file [data-testid="stFileUploaderDropzoneInstructions"]' in css
    assert 'content: "Chọn tệp"' in css and 'content: "Tệp lớn hơn giới hạn 10,0 MB.";' in css


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_upload_widget_speaks_the_users_language(
    editor_login: str, writable_demo_url: str, lang: str
) -> None:
    at = open_app(lang, "pages/upload.py")
    uploader = at.get("file_uploader")[0]
    assert uploader.proto.max_upload_size_mb == 10
    assert list(uploader.proto.type) == []  # the type check is ours, in the user's language
    captions = [c.value for c in at.caption]
    line = (
        "Tối đa 10,0 MB mỗi tệp • .xlsx, .xls, .ods"
        if lang == "vi"
        else ("Up to 10.0 MB per file • .xlsx, .xls, .ods")
    )
    assert line in captions
    assert not any("50" in c for c in captions)
    uploader.set_value(("so-lieu.csv", b"a,b\n1,2\n", "text/csv")).run()  # type: ignore[attr-defined]
    errors = [e.value for e in at.error]
    assert errors == [
        "Tệp «so-lieu.csv» không đúng loại: chỉ nhận .xlsx, .xls, .ods."
        if lang == "vi"
        else "«so-lieu.csv» is not a file of the accepted types: .xlsx, .xls, .ods only."
    ]


@pytest.mark.parametrize(
    ("lang", "found", "limit"), [("vi", "1,5 MB", "1,0 MB"), ("en", "1.5 MB", "1.0 MB")]
)
def test_a_file_over_the_limit_is_told_in_the_users_notation(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, lang: str, found: str, limit: str
) -> None:
    from kpi.db import make_engine
    from loaders.importer import check_upload

    monkeypatch.setenv("KPI_MAX_UPLOAD_MB", "1")
    engine = make_engine(demo_url)
    try:
        report = check_upload(engine, b"PK" + b"\0" * (3 * 524288 - 2), "big.xlsx", lang=lang)
    finally:
        engine.dispose()
    (problem,) = report.problems
    assert (problem.code, problem.found, problem.expected) == ("file_too_large", found, limit)
    assert f"({found})" in problem.message and limit in problem.message
