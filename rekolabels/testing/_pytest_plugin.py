"""pytest plugin (entry point ``pytest11``): the ``rekognition_fake`` fixture.

Loaded by every pytest run where rekolabels is installed; the fake itself is imported only when
a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._fake import FakeRekognition

__all__ = ["rekognition_fake"]


@pytest.fixture
def rekognition_fake() -> Iterator[FakeRekognition]:
    """A fresh ``FakeRekognition`` (seed 0) with ``.client`` ready; closed after the test.

    Add jobs, then hand ``rekognition_fake.client`` (a real boto3 client answered in-process)
    to the code under test, or ``rekognition_fake.serve()`` for a loopback HTTP endpoint.
    """
    from ._fake import FakeRekognition

    fake = FakeRekognition()
    fake.client  # noqa: B018 - built now, so the test gets a ready client
    try:
        yield fake
    finally:
        fake.close()
