"""Test doubles for code that reads Rekognition Video label results.

moto and LocalStack do not implement GetLabelDetection; ``FakeRekognition`` does, in-process
(through a real boto3 client whose socket is replaced) and on loopback HTTP (``fake.serve()``),
with StartLabelDetection, seeded faults and a pytest fixture (``rekognition_fake``).
``FakeClock`` is time for ``LabelDetectionClient(..., clock=)``: sleeping advances it.
"""

from ._clock import FakeClock
from ._fake import FakeRekognition, Reply
from ._wire import http_response, new_client

__all__ = ["FakeClock", "FakeRekognition", "Reply", "http_response", "new_client"]
