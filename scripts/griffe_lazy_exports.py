"""Griffe extension for the API docs: read a lazy package's ``__all__`` from its export table.

``rekolabels/__init__.py`` (and ``rekolabels.testing``) import nothing until a name is used:
``__all__`` is built from the ``_EXPORTS`` table (name -> private module), which static
analysis cannot evaluate. This sets the module's exports to the table's names, so the API page
documents exactly the public API, from the TYPE_CHECKING imports griffe already sees.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe


class LazyExports(griffe.Extension):
    def on_module_members(
        self, *, node: ast.AST | griffe.ObjectNode, mod: griffe.Module, **kwargs: Any
    ) -> None:
        if not isinstance(node, ast.Module):
            return
        for statement in node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id == "_EXPORTS"
                and statement.value is not None
            ):
                table = ast.literal_eval(statement.value)
                mod.exports = ["__version__", *table] if "__version__" in mod.members else [*table]
