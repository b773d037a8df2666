"""The fake's NextTokens: opaque, signed, bound to one job and one SortBy/AggregateBy.

The key derives from the fake's seed, so tokens repeat run to run; a forged token, or one from
another job or another order, is rejected with InvalidPaginationTokenException, as AWS does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ._reply import BadRequest

__all__ = ["Tokens"]

_MAC_BYTES = 16


class Tokens:
    """Makes and reads the NextTokens of one fake (the key derives from its seed)."""

    def __init__(self, seed: int) -> None:
        self._key = hashlib.sha256(f"rekolabels-fake:{seed}".encode()).digest()

    def make(self, job_id: str, offset: int, sort_by: str, aggregate_by: str) -> str:
        """The token for the page starting at label ``offset`` of that job in that order."""
        payload = f"{offset}:{sort_by}:{aggregate_by}:{job_id}".encode()
        return base64.urlsafe_b64encode(self._mac(payload) + payload).decode().rstrip("=")

    def read(self, token: str, job_id: str, sort_by: str, aggregate_by: str) -> int:
        """The offset ``token`` stands for; BadRequest unless this fake made it for this
        job and order."""
        invalid = BadRequest("InvalidPaginationTokenException", "Invalid pagination token.")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise invalid from None
        mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise invalid
        offset, token_sort, token_aggregate, token_job = payload.decode().split(":", 3)
        if (token_job, token_sort, token_aggregate) != (job_id, sort_by, aggregate_by):
            raise invalid
        return int(offset)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
