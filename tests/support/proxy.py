"""A private nginx running the repository's ``deploy/nginx.conf`` in front of test servers.

Debian's nginx binary is run with its own prefix (``-p``) and main configuration (``-c``) in a
temporary folder, on a free port, never as the system service. The main configuration is a
minimal wrapper (pid, logs and temporary files inside the prefix) that includes
``deploy/nginx.conf`` with only its ports and log path replaced: everything else is the
repository's own configuration.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .postgres import TRUTHY, free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx.conf"
#: the upstream servers as the repository's file lists them (replaced by the test ports)
UPSTREAM = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+;", re.MULTILINE)
LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d+) route=(?P<route>\S+) upstream=(?P<upstream>\S+)'
)


def nginx_path() -> str | None:
    """Debian's nginx (in /usr/sbin, which a non-root PATH may lack), or None."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def require_nginx() -> bool:
    """Whether a missing nginx must fail the tests instead of skipping them (CI)."""
    return os.environ.get("KPI_REQUIRE_NGINX", "").strip().lower() in TRUTHY


def site_config(ports: Sequence[int], listen: int, access_log: Path) -> str:
    """``deploy/nginx.conf`` with the test's upstream ports, listening port and log file."""
    text = CONFIG.read_text(encoding="utf-8")
    found = list(UPSTREAM.finditer(text))
    if not found:
        raise AssertionError("deploy/nginx.conf lists no upstream `server 127.0.0.1:PORT;`")
    indent = found[0].group(1)
    servers = "\n".join(f"{indent}server 127.0.0.1:{p};" for p in ports)
    for match in reversed(found[1:]):  # the other servers' lines go, with their line break
        text = text[: match.start()] + text[match.end() + 1 :]
    text = text[: found[0].start()] + servers + text[found[0].end() :]
    text, listens = re.subn(
        r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{listen};", text, flags=re.MULTILINE
    )
    text, logs = re.subn(r"access_log \S+ kpi_route;", f"access_log {access_log} kpi_route;", text)
    if listens != 1 or logs != 1:
        raise AssertionError("deploy/nginx.conf: expected one `listen 80;` and one kpi_route log")
    return text


@dataclass
class Proxy:
    url: str
    access_log: Path

    def lines(self) -> list[dict[str, str]]:
        """The access log so far: request, status, route cookie, upstream address."""
        if not self.access_log.exists():
            return []
        text = self.access_log.read_text(encoding="utf-8", errors="replace")
        return [m.groupdict() for m in LOG_LINE.finditer(text)]

    def upstreams_of(self, route: str) -> set[str]:
        return {line["upstream"] for line in self.lines() if line["route"] == route}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


@contextmanager
def running_nginx(upstream_ports: Sequence[int]) -> Iterator[Proxy]:
    """nginx on a free port in front of ``upstream_ports``; yields its base URL and log."""
    binary = nginx_path()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    with tempfile.TemporaryDirectory(prefix="kpi-nginx-") as tmp:
        prefix = Path(tmp)
        for sub in ("logs", "temp"):
            (prefix / sub).mkdir()
        port = free_port()
        access_log = prefix / "logs" / "access.log"
        (prefix / "kpi.conf").write_text(site_config(upstream_ports, port, access_log), "utf-8")
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"    {kind}_temp_path {prefix / 'temp' / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (prefix / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'logs' / 'error.log'} info;\n"
            "events { worker_connections 512; }\n"
            f"http {{\n{temp}    include {prefix / 'kpi.conf'};\n}}\n",
            "utf-8",
        )
        args = [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 15
            while not _answers(f"{url}/_stcore/health"):
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (prefix / "logs" / "error.log").read_text(errors="replace")
                    raise RuntimeError(f"nginx did not answer on {url}; its log:\n{log}")
                time.sleep(0.1)
            yield Proxy(url, access_log)
        finally:
            if process.poll() is None:
                process.terminate()  # SIGTERM: fast shutdown of the master and its worker
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
