"""Suite-wide settings and fixtures."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.cli_helpers import logger_restorer

# Property tests draw the same cases on every run (seeded by each test's own name), so a CI
# failure is one anyone can reproduce from its log, never a case that no later run finds.
# `pytest --hypothesis-profile=explore` searches anew (and keeps what it finds in .hypothesis/).
settings.register_profile("seeded", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("seeded")


@pytest.fixture(autouse=True, scope="session")
def _sigint_as_at_a_terminal() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a run started at a terminal, also when the suite
    was started with SIGINT ignored (``nohup``, a background job without job control): then
    ``_thread.interrupt_main`` does nothing and child processes inherit the ignore, so the
    Ctrl-C tests would test nothing."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """rekolabels' wheel, built from this checkout once per test session (per xdist worker)."""
    dist = tmp_path_factory.mktemp("dist")
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(root)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = dist.glob("rekolabels-*.whl")
    return built


@pytest.fixture(autouse=True)
def _rekolabels_logger_left_as_found() -> Iterator[None]:
    """A test leaves the "rekolabels" logger as it found it (handlers, level, what
    ``isEnabledFor`` says): a handler or level left behind by an in-process ``main(["--debug",
    ...])`` would change what later tests in the same worker see. A leak is put right, then
    reported as this test's error."""
    logger = logging.getLogger("rekolabels")
    restore = logger_restorer()
    found = (list(logger.handlers), logger.level, logger.isEnabledFor(logging.DEBUG))
    yield
    left = (list(logger.handlers), logger.level, logger.isEnabledFor(logging.DEBUG))
    if left != found:
        restore()
        pytest.fail(f"the test changed the rekolabels logger: {left} (was {found})")
