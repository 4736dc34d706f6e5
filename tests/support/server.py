"""The real app in a real browser: a Streamlit server and a Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .postgres import TRUTHY, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright, Route

CHROMIUM = Path("/usr/bin/chromium")
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """The Debian Chromium, or None when it is not installed."""
    return str(CHROMIUM) if CHROMIUM.exists() else None


def require_browser() -> bool:
    """Whether a missing browser must fail the tests instead of skipping them (CI)."""
    return os.environ.get("KPI_REQUIRE_BROWSER", "").strip().lower() in TRUTHY


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except (OSError, urllib.error.URLError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_app(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """Run ``streamlit run app.py`` in ``cwd`` with ``env`` added; yield its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", "server.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    # Output goes to a file, not a pipe: a pipe nobody reads would stall a chatty server.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _healthy(f"{base_url}/_stcore/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    problem = (
                        f"exited with code {process.returncode}"
                        if process.poll() is not None
                        else f"did not answer on {base_url} within {START_TIMEOUT:.0f} s"
                    )
                    _stop(process)
                    output.seek(0)
                    log = output.read().decode("utf-8", "replace")
                    raise RuntimeError(f"streamlit {problem}; its output:\n{log}")
                time.sleep(0.1)
            yield base_url
        finally:
            _stop(process)


def launch_browser(playwright: Playwright) -> Browser:
    """Chromium, headless, with as little background traffic as it allows."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def _local_only(route: Route) -> None:
    parts = urlsplit(route.request.url)
    if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
        route.abort()
    else:
        route.continue_()


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A Vietnamese-locale context whose requests off this machine are aborted (no network)."""
    context = browser.new_context(
        **{"viewport": {"width": 1400, "height": 1000}, "locale": "vi-VN", **options}
    )
    context.route("**/*", _local_only)
    return context


def log_in(tab: Any, base_url: str, name: str, password: str, next_path: str = "/") -> None:
    """Log in through the real form (the login route answers with a redirect to ``next``)."""
    from urllib.parse import quote

    tab.goto(f"{base_url}/login?next={quote(next_path, safe='')}")
    tab.locator("#kpi-login-name").fill(name)
    tab.locator("#kpi-login-password").fill(password)
    tab.locator("#kpi-login-submit").click()


def settled(tab: Any, pause_ms: int = 600) -> None:
    """Wait until the app has finished its run (no "Running..." widget), then a moment more for
    the browser to draw what it sent."""
    tab.wait_for_timeout(300)
    for _ in range(100):
        if tab.locator('[data-testid="stStatusWidget"]').count() == 0:
            break
        time.sleep(0.2)
    tab.wait_for_timeout(pause_ms)
