"""Test doubles for code that reads Rekognition Video label results.

moto and LocalStack do not implement GetLabelDetection; this package does, in-process and
(later) on loopback HTTP.
"""

from ._wire import http_response, new_client

__all__ = ["http_response", "new_client"]
