"""Lazy package exports (PEP 562): a public name's module is imported on its first use.

``import rekolabels`` and the pytest plugin's ``import rekolabels.testing`` stay cheap (no
boto3, pydantic or pyarrow) until a name is used; each package keeps one export table.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["exports"]


def exports(
    package: str, table: dict[str, str], namespace: dict[str, Any], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose ``table`` maps each public name
    to the private module defining it; a name, once imported, is kept in ``namespace``."""

    def __getattr__(name: str) -> Any:
        try:
            module = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *public})

    return __getattr__, __dir__
