"""``rekolabels demo``: from this venv, and from a wheel installed in a fresh venv elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import bare_env, clean_env, run

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


def check_demo_output(result: subprocess.CompletedProcess[str], out: Path) -> None:
    assert result.returncode == 0, result.stderr
    assert "retry" in result.stdout  # the injected throttling is visible
    assert "ThrottlingException" in result.stdout
    assert "Server closed" in result.stdout
    assert_timeline_png(out / "timeline.png")


def test_demo_writes_the_timeline(tmp_path: Path) -> None:
    result = run(["demo", "--out", str(tmp_path)], clean_env(tmp_path), cwd=tmp_path)
    check_demo_output(result, tmp_path)
    assert "2345 labels" in result.stdout


@pytest.mark.parametrize("extra", [{}, {"AWS_PROFILE": "nosuch"}], ids=["clean", "bad-profile"])
def test_demo_reads_no_aws_configuration(tmp_path: Path, extra: dict[str, str]) -> None:
    result = run(["demo", "--out", str(tmp_path)], bare_env(tmp_path, **extra), cwd=tmp_path)
    check_demo_output(result, tmp_path)


def test_demo_creates_its_out_directory(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    result = run(["demo", "--out", str(out)], clean_env(tmp_path), cwd=tmp_path)
    check_demo_output(result, out)


def test_demo_rejects_an_out_path_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = run(["demo", "--out", str(blocker / "sub")], clean_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") <= 2
    assert "rekolabels: error: --out" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_demo_from_a_wheel_in_a_fresh_venv(tmp_path: Path) -> None:
    """The README's promise: install the wheel with [cli,plot] anywhere, run the demo."""
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = dist.glob("rekolabels-*.whl")
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], check=True, timeout=120, capture_output=True
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"),
         f"rekolabels[cli,plot] @ {wheel.as_uri()}"],
        check=True,
        timeout=420,
        capture_output=True,
    )  # fmt: skip
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
    check_demo_output(result, work)
