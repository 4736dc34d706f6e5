"""Many viewers at once: 20 sessions opening the Overview, measured on the server's side.

The client is light on purpose, so that the server is what is measured: it speaks Streamlit's
own websocket protocol (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``) as the browser
does: it opens a session, asks for a run of the Overview with the page's address, and counts
the time until the run has sent the cards (``metric`` elements) and finished. No browser renders
anything; the client's own CPU time is reported beside the figures.

Cases: one viewer alone (the baseline), then 20 viewers arriving together, on one process and on
two processes behind the repository's nginx (``deploy/nginx.conf``, see ``tests/support/proxy``),
each viewer with its own route cookie as a browser would get. The database is the demo one on
SQLite at province scale, or the national PostgreSQL database at national scale. Median and 95th
percentile of the time to drawn cards; the target is under 3 s at the 95th percentile.
"""

from __future__ import annotations

import contextlib
import resource
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from benchmarks.core import Case, Context

ROOT = Path(__file__).resolve().parent.parent
VIEWERS = 20
CARDS = 4  # the Overview shows at least this many key figures when its figures are there
TIMEOUT = 60.0


def open_overview(base_url: str, route: str | None = None) -> tuple[float, int]:
    """Seconds from opening the websocket until the Overview's run has drawn its cards and
    finished, and how many cards it drew."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Cookie": f"kpi_route={route}"} if route else {}
    started = time.perf_counter()
    cards = 0
    with connect(
        ws_url,
        subprotocols=["streamlit"],  # type: ignore[list-item]
        origin=base_url,  # type: ignore[arg-type]
        additional_headers=headers,
        open_timeout=TIMEOUT,
        max_size=None,
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = ""  # the default page: the Overview
        ws.send(msg.SerializeToString())
        deadline = started + TIMEOUT
        while time.perf_counter() < deadline:
            raw = ws.recv(timeout=deadline - time.perf_counter())
            fwd = ForwardMsg()
            fwd.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                if fwd.delta.new_element.WhichOneof("type") == "metric":
                    cards += 1
            elif kind == "script_finished" and cards >= CARDS:
                # A first run may end by switching page (the frame's navigation): the run that
                # counts is the one that drew the cards.
                return time.perf_counter() - started, cards
        raise TimeoutError(f"no Overview cards within {TIMEOUT:.0f} s ({cards} seen)")


def crowd(base_url: str, viewers: int) -> tuple[list[float], float]:
    """``viewers`` sessions opened together (threads released at once); their times and the
    client's CPU seconds."""
    times: list[float] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(viewers)
    lock = threading.Lock()

    def one() -> None:
        gate.wait()
        try:
            seconds, _ = open_overview(base_url, uuid.uuid4().hex)
            with lock:
                times.append(seconds)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=one) for _ in range(viewers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = resource.getrusage(resource.RUSAGE_SELF)
    if errors:
        raise RuntimeError(f"{len(errors)} of {viewers} viewers failed: {errors[0]!r}")
    client_cpu = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    return times, client_cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@contextlib.contextmanager
def _servers(url: str, count: int) -> Iterator[list[str]]:
    from tests.support.server import running_app

    env = {"KPI_DATABASE_URL": url, "KPI_LANG": "vi"}
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(running_app(env, ROOT)) for _ in range(count)]


def _measure(base_url: str, label: str, repeat: int) -> list[Case]:
    open_overview(base_url)  # the first session of a process imports and fills the caches
    alone = [open_overview(base_url)[0] for _ in range(repeat)]
    times: list[float] = []
    cpu = 0.0
    for _ in range(max(1, repeat // 2)):
        got, used = crowd(base_url, VIEWERS)
        times += got
        cpu += used
    baseline = f"{label}: one viewer alone"
    return [
        Case(baseline, alone),
        Case(
            f"{label}: {VIEWERS} viewers together, median",
            [statistics.median(times)],
            baseline=baseline,
            note=f"{len(times)} sessions; ratio < 1 is the slowdown",
        ),
        Case(
            f"{label}: {VIEWERS} viewers together, 95th percentile",
            [p95(times)],
            note=f"client CPU {cpu:.2f} s for {len(times)} sessions",
        ),
    ]


def run(ctx: Context) -> list[Case]:
    from tests.support.proxy import nginx_path, running_nginx

    cases: list[Case] = []
    with tempfile.TemporaryDirectory() as tmp:
        if ctx.scale == "national" and "postgresql" in ctx.national:
            url, where = ctx.national["postgresql"], "national postgresql"
        else:
            from kpi import db
            from kpi.access import Actor
            from kpi.bootstrap import init_database

            path = Path(tmp) / "demo.sqlite3"
            engine = db.make_engine(f"sqlite:///{path}")
            init_database(engine, Actor("bench", "admin"), demo=True)
            engine.dispose()
            url, where = f"sqlite:///{path}", "demo sqlite"
        with _servers(url, 1) as (one,):
            cases += _measure(one, f"viewers {where}, one process", ctx.repeat)
        if nginx_path() is None:
            ctx.notes["viewers behind nginx"] = "skipped: nginx is not installed"
            return cases
        with _servers(url, 2) as (a, b):
            ports = [int(a.rsplit(":", 1)[1]), int(b.rsplit(":", 1)[1])]
            with running_nginx(ports) as proxy:
                for base in (a, b):
                    open_overview(base)  # warm both processes
                cases += _measure(
                    proxy.url, f"viewers {where}, two processes behind nginx", ctx.repeat
                )
    return cases


if __name__ == "__main__":
    from benchmarks.__main__ import report

    report("viewers_bench", run(Context(repeat=3)))
