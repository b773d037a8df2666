"""Suite-wide fixtures."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest


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
