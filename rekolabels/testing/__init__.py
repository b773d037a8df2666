"""Test doubles for code that reads Rekognition Video label results.

moto and LocalStack do not implement GetLabelDetection; ``FakeRekognition`` does, in-process
(through a real boto3 client whose socket is replaced) and on loopback HTTP (``fake.serve()``),
with StartLabelDetection, seeded faults and a pytest fixture (``rekognition_fake``).
``FakeClock`` is time for ``LabelDetectionClient(..., clock=)``: sleeping advances it.

Imported lazily, like the package: the pytest plugin lives here and pytest loads it in every run
where rekolabels is installed, so importing ``rekolabels.testing`` must cost nothing until a
name is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Each public name and the private module that defines it (see rekolabels/__init__.py).
_EXPORTS: dict[str, str] = {
    "FakeClock": "_clock",
    "FakeRekognition": "_fake",
    "Reply": "_reply",
    "http_response": "_wire",
    "new_client": "_wire",
}

__all__ = [*_EXPORTS]

if TYPE_CHECKING:
    from ._clock import FakeClock as FakeClock
    from ._fake import FakeRekognition as FakeRekognition
    from ._reply import Reply as Reply
    from ._wire import http_response as http_response
    from ._wire import new_client as new_client


if not TYPE_CHECKING:  # type checkers see the imports above, and flag unknown names
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, _EXPORTS, globals(), __all__)
    del exports
