"""``kpi export -o``: standard output, pipes and devices written in place, regular files
atomically (``kpi.cli.output``)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kpi.cli import main
from kpi.cli.output import write_output
from tests.conftest import ROOT

ARGS = ["export", "--indicator", "dossiers_received", "--unit", "84", "--format", "csv"]


def _file_export(tmp_path: Path) -> bytes:
    out = tmp_path / "ref.csv"
    assert main([*ARGS, "-o", str(out)]) == 0
    return out.read_bytes()


def test_dash_writes_to_stdout_piped_into_a_reader(writable_demo_url: str, tmp_path: Path) -> None:
    expected = _file_export(tmp_path)
    env = {**os.environ, "KPI_DATABASE_URL": writable_demo_url, "KPI_LANG": "vi"}
    writer = subprocess.Popen(
        [sys.executable, "-m", "kpi", *ARGS, "-o", "-"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader = subprocess.run(
        [sys.executable, "-c", "import sys; d = sys.stdin.buffer.read(); print(len(d))"],
        stdin=writer.stdout,
        capture_output=True,
        check=True,
    )
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()
    err = writer.stderr.read().decode()
    assert writer.wait(timeout=60) == 0
    assert int(reader.stdout) == len(expected)
    assert "đầu ra chuẩn" in err  # the message went to standard error
    assert not (tmp_path / "-").exists()


def test_dash_gives_the_same_bytes_as_a_file(
    writable_demo_url: str, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    expected = _file_export(tmp_path)
    capfdbinary.readouterr()
    assert main([*ARGS, "-o", "-"]) == 0
    out, err = capfdbinary.readouterr()
    assert out == expected and expected.startswith(b"\xef\xbb\xbf")
    assert "Đã xuất" in err.decode()


def test_a_fifo_is_written_in_place(writable_demo_url: str, tmp_path: Path) -> None:
    expected = _file_export(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert main([*ARGS, "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert got == [expected]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe, not a regular file
    assert not list(tmp_path.glob("*.partial"))


def test_a_symlink_to_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    written = write_output(str(link), lambda fh: fh.write(b"abc"))
    reader.join(timeout=30)
    assert got == [b"abc"] and written.in_place
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_regular_file_is_replaced_atomically(tmp_path: Path) -> None:
    out = tmp_path / "bang.csv"
    out.write_bytes(b"old")
    inode = out.stat().st_ino

    def half_then_fail(fh: object) -> None:
        fh.write(b"new, half")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_output(str(out), half_then_fail)
    assert out.read_bytes() == b"old" and not list(tmp_path.glob("*.partial"))
    written = write_output(str(out), lambda fh: fh.write(b"new"))  # type: ignore[arg-type, return-value]
    assert out.read_bytes() == b"new" and not written.in_place and not written.to_stdout
    assert out.stat().st_ino != inode  # a new file renamed over the old one


def test_a_symlink_to_a_file_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_bytes(b"old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    write_output(str(link), lambda fh: fh.write(b"new"))  # type: ignore[arg-type, return-value]
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_dev_stdout_redirected_to_a_file_is_not_replaced(
    writable_demo_url: str, tmp_path: Path
) -> None:
    """``-o /dev/stdout >> file``: written through the descriptor (appended), the device entry
    and the file left where they are."""
    expected = _file_export(tmp_path)
    log = tmp_path / "log.csv"
    log.write_bytes(b"before\n")
    env = {**os.environ, "KPI_DATABASE_URL": writable_demo_url, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as fh:
        done = subprocess.run(
            [sys.executable, "-m", "kpi", *ARGS, "-o", "/dev/stdout"],
            cwd=tmp_path,
            env=env,
            stdout=fh,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert log.read_bytes() == b"before\n" + expected
    assert os.path.islink("/dev/stdout") or not os.path.isfile("/dev/stdout")
