"""The docs build with ``mkdocs build --strict`` and no warning, and the API reference is whole.

``scripts/check`` builds the site just before pytest, with the same flags and the same check for
warnings, and names it in ``REKOLABELS_BUILT_SITE``: these tests read that build instead of
making a second one. Anywhere else they build the site themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    built = os.environ.get("REKOLABELS_BUILT_SITE")
    if built and (Path(built) / "index.html").is_file():
        return Path(built)
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # --strict alone is not enough: with --quiet it hides the warnings it would abort on.
    assert "WARNING" not in result.stderr, result.stderr
    return out


@pytest.mark.parametrize(
    "name",
    ["rekolabels.LabelDetectionClient", "rekolabels.RetryPolicy", "rekolabels.PartialJobWarning",
     "rekolabels.testing.FakeRekognition", "rekolabels.testing.new_client",
     "rekolabels.testing.http_response", "rekolabels.testing.Reply"],
)  # fmt: skip
def test_api_reference_documents(site: Path, name: str) -> None:
    assert f'id="{name}"' in (site / "api" / "index.html").read_text(encoding="utf-8")


def test_pages_show_their_examples(site: Path) -> None:
    # The snippet include really ran: a line of the example file is on the page.
    page = (site / "client" / "index.html").read_text(encoding="utf-8")
    assert "from_session" in page
    assert "--8" not in page
