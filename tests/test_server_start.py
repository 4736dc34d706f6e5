"""What the web server does when it starts (``server.py``, ``.streamlit/config.toml``), read in a
fresh interpreter started in the repository as ``streamlit run server.py`` is.

Streamlit's default full garbage collection after every script run cost 40-60 ms of GIL time a
run with this app's heap, more than drawing the Overview (BENCHMARKS.md, "Viewers"); the server
turns it off and freezes its start-up objects instead.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _in_fresh_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "KPI_SECRET_KEY": "x" * 32},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_streamlit_reads_no_collection_after_each_run_from_the_config_file() -> None:
    shown = _in_fresh_python(
        "from streamlit import config; print(config.get_option('runner.postScriptGC'))"
    )
    assert shown == "False"


def test_the_server_imports_the_pages_modules_and_freezes_them_out_of_the_collector() -> None:
    shown = _in_fresh_python(
        "import gc, sys; import server; "
        "print(gc.get_freeze_count(), 'kpi.ui.dashboard' in sys.modules, 'pandas' in sys.modules)"
    )
    frozen, dashboard, pandas = shown.split()
    assert int(frozen) > 50_000 and dashboard == pandas == "True", shown
