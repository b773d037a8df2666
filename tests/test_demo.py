"""``rekolabels demo``: from this venv, and from a wheel installed in a fresh venv elsewhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rekolabels._cli import main
from tests.cli_helpers import bare_env, clean_env, new_venv, run, run_main

# The demo needs the cli extra, and the plot extra for its picture.
pytest.importorskip("rich")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_timeline_png(path: Path) -> None:
    """A real PNG that PIL reads, about the size of a report figure."""
    from PIL import Image

    assert path.read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        width, height = image.size
    assert 800 <= width <= 3000
    assert 300 <= height <= 3000


def check_demo_output(stdout: str, out: Path) -> None:
    assert "retry" in stdout  # the injected throttling is visible
    assert "ThrottlingException" in stdout
    # Counted from what the fake served: 5 faults among the 10 scheduled calls.
    assert "5 injected faults retried" in stdout
    assert "Server closed" in stdout
    assert_timeline_png(out / "timeline.png")


def test_demo_writes_the_timeline(tmp_path: Path) -> None:
    """End to end: the installed script, in a process of its own."""
    result = run(["demo", "--out", str(tmp_path)], clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_demo_output(result.stdout, tmp_path)
    assert "2345 labels" in result.stdout


@pytest.mark.parametrize("extra", [{}, {"AWS_PROFILE": "nosuch"}], ids=["clean", "bad-profile"])
def test_demo_reads_no_aws_configuration(tmp_path: Path, extra: dict[str, str]) -> None:
    result = run_main(["demo", "--out", str(tmp_path)], bare_env(tmp_path, **extra), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check_demo_output(result.stdout, tmp_path)
    assert "2345 labels" in result.stdout


def test_demo_creates_its_out_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    out = tmp_path / "new" / "dir"
    assert main(["demo", "--out", str(out)]) == 0
    check_demo_output(capsys.readouterr().out, out)


def test_demo_rejects_an_out_path_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["demo", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") <= 2
    assert "rekolabels: error: --out" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_demo_from_a_wheel_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    """The README's promise: install the wheel with [cli,plot] anywhere, run the demo."""
    venv = tmp_path / "venv"
    python = new_venv(venv, "-c", str(ROOT / "constraints.txt"),
                      f"rekolabels[cli,plot] @ {wheel.as_uri()}", compile=False)  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import rekolabels; print(rekolabels.__file__)"],
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)
    result = run(["demo", "--out", str(work)], clean_env(tmp_path), cwd=work, timeout=120,
                 command=[str(venv / "bin" / "rekolabels")])  # fmt: skip
    assert result.returncode == 0, result.stderr
    check_demo_output(result.stdout, work)
