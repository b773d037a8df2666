"""No import cycle inside rekolabels: the graph of every import statement is acyclic.

Every ``import`` / ``from ... import`` of a rekolabels module counts, at module level (under
``if TYPE_CHECKING:`` too) and inside functions alike: a cycle that only a lazy import keeps from
failing today fails the day someone hoists the import. A package's ``__init__`` imported on the
way to its submodules is not an edge (Python's own order); ``from . import x`` is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rekolabels

ROOT = Path(rekolabels.__file__).parent


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package, by dotted name, with its source file."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imported_by(name: str) -> set[str]:
    """The rekolabels modules that module ``name`` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
    return {module for module in found if module in MODULES and module != name}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_walk_sees_the_package() -> None:
    assert {"rekolabels", "rekolabels._client", "rekolabels._cli", "rekolabels.testing"} <= set(
        MODULES
    )
    assert "rekolabels._errors" in imported_by("rekolabels._client")
    assert "rekolabels._cli._common" in imported_by("rekolabels._cli._online")
    assert "rekolabels" in imported_by("rekolabels._cli")  # from .. import __version__


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_inside_rekolabels() -> None:
    graph = {name: imported_by(name) for name in MODULES}
    assert find_cycle(graph) is None
