"""Chart images for the draft without the network: Plotly figures rendered to PNG by kaleido
driving the system Chromium (``KPI_CHART_BROWSER``); no renderer means no images, never an
error."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from kpi.i18n import t

DEFAULT_BROWSER = "/usr/bin/chromium"
OFF = {"", "0", "none", "off", "false", "no"}
WIDTH, HEIGHT, SCALE = 800, 420, 2  #: pixels of a chart (printed 160 mm wide)
TIMEOUT = 60.0


@dataclass(frozen=True)
class Rendered:
    """The images of a set of figures (empty with ``reason`` when none could be made) and
    how long the browser took to start and to draw them."""

    images: tuple[bytes, ...]
    reason: str | None
    startup_s: float = 0.0
    render_s: float = 0.0


def browser_path(env: Mapping[str, str] | None = None) -> str | None:
    """The browser from ``KPI_CHART_BROWSER`` (default the Debian Chromium); None when off."""
    env = os.environ if env is None else env
    raw = env.get("KPI_CHART_BROWSER")
    if raw is None:
        return DEFAULT_BROWSER
    return None if raw.strip().lower() in OFF else raw.strip()


def render(
    figures: Sequence[go.Figure],
    lang: str,
    browser: str | None,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Rendered:
    """PNG images of ``figures`` from one session of ``browser`` (see :func:`browser_path`)."""
    if not figures:
        return Rendered((), None)
    path = browser
    if path is None:
        return Rendered((), t("briefing.chart.disabled", lang))
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        return Rendered((), t("briefing.chart.missing_browser", lang, path=path))
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - kaleido is in requirements.txt
        return Rendered((), t("briefing.chart.failed", lang, error=exc))

    async def draw() -> tuple[list[bytes], float, float]:
        started = time.perf_counter()
        out: list[bytes] = []
        async with kaleido.Kaleido(n=1, path=path, mathjax=False, timeout=TIMEOUT) as k:
            ready = time.perf_counter()
            for fig in figures:
                tall = fig.layout.height or height
                opts = {"format": "png", "width": width, "height": tall, "scale": SCALE}
                out.append(bytes(await k.calc_fig(fig, opts=opts)))
        return out, ready - started, time.perf_counter() - ready

    # Chromium's launcher may write a line that is not DevTools JSON on the pipe, which
    # choreographer logs with a traceback and ignores: keep that out of the user's terminal.
    quiet = logging.getLogger("choreographer")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        images, startup, drawing = asyncio.run(draw())
    except Exception as exc:  # the browser crashed, timed out or refused: no images
        return Rendered((), t("briefing.chart.failed", lang, error=f"{type(exc).__name__}: {exc}"))
    finally:
        quiet.setLevel(level)
    return Rendered(tuple(images), None, startup, drawing)
