import ast
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel

import rekolabels
import rekolabels.testing

PUBLIC = {
    # models (botocore shape names) and enums
    "BoundingBox", "DominantColor", "GetLabelDetectionRequest", "GetLabelDetectionRequestMetadata",
    "GetLabelDetectionResponse", "Instance", "Label", "LabelAlias", "LabelCategory",
    "LabelDetection", "LabelDetectionAggregateBy", "LabelDetectionSortBy", "Parent",
    "ResponseMetadata", "S3Object", "Video", "VideoColorRange", "VideoJobStatus", "VideoMetadata",
    # client
    "LabelDetectionClient", "RetryPolicy",
    # errors and warnings
    "AccessDeniedError", "InternalServiceError", "InvalidArgumentError",
    "InvalidPaginationTokenError", "InvalidParameterError", "JobFailedError",
    "JobInProgressError", "JobNotFoundError", "PaginationLoopError", "PartialJobWarning",
    "RekolabelsError", "ResponseValidationError", "ServiceError", "ServiceTimeoutError",
    "ServiceUnavailableError",
    "ThrottledError", "WaitTimeoutError",
    # local re-sort and re-aggregate
    "aggregate_segments", "reaggregate", "resort", "sort_labels",
    # label analytics
    "LabelSummary", "filter_labels", "sampling_period_ms", "summarize_labels",
    # completion notifications
    "NotificationStatus", "NotificationVideo", "VideoJobNotification", "iter_notifications",
    # botocore data: paginators and a waiter for plain boto3 and the AWS CLI
    "botocore_data_path", "register_botocore_data",
    # columnar tables (extra [arrow])
    "LabelTable",
    # many jobs: export to a dataset
    "ExportReport", "export_jobs",
    "__version__",
}  # fmt: skip


def test_all_is_exactly_the_documented_public_api() -> None:
    assert set(rekolabels.__all__) == PUBLIC
    assert len(rekolabels.__all__) == len(PUBLIC), "duplicates in __all__"


def test_every_exported_name_exists_and_is_public_module() -> None:
    for name in rekolabels.__all__:
        obj = getattr(rekolabels, name)
        if isinstance(obj, type):
            assert obj.__module__.startswith("rekolabels"), name


def test_every_exported_class_says_the_module_users_import() -> None:
    classes = [getattr(rekolabels, name) for name in rekolabels.__all__]
    classes = [obj for obj in classes if isinstance(obj, type)]
    assert {rekolabels.ServiceError, rekolabels.LabelDetection, rekolabels.RetryPolicy} <= set(
        classes
    )
    for cls in classes:
        assert cls.__module__ == "rekolabels", cls.__qualname__
        assert getattr(rekolabels, cls.__qualname__) is cls
    for name in rekolabels.testing.__all__:
        obj = getattr(rekolabels.testing, name)
        if isinstance(obj, type):
            assert obj.__module__ == "rekolabels.testing", name


def test_models_are_built_with_their_field_docstrings() -> None:
    # pydantic reads __module__ while building a model: setting it must not cost these.
    for name in rekolabels.__all__:
        obj = getattr(rekolabels, name)
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            assert obj.__pydantic_complete__, name
            assert all(f.description for f in obj.model_fields.values()), name


@pytest.mark.parametrize("package", [rekolabels, rekolabels.testing], ids=lambda p: p.__name__)
def test_type_checkers_see_exactly_the_lazy_exports(package: ModuleType) -> None:
    """The table ``__getattr__`` imports from and the TYPE_CHECKING imports IDEs and mypy read
    name the same objects: an export added to one and not the other fails here."""
    assert package.__file__ is not None
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    static: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.unparse(node)
        assert node.level == 1, ast.unparse(node)
        for alias in node.names:
            assert alias.asname == alias.name, f"re-export explicitly: {alias.name} as {alias.name}"
            static[alias.name] = str(node.module)
    table = package._EXPORTS
    for name in table.keys() - static.keys():
        pytest.fail(f"add `from .{table[name]} import {name} as {name}` under TYPE_CHECKING")
    for name in static.keys() - table.keys():
        pytest.fail(f"add {name!r}: {static[name]!r} to {package.__name__}._EXPORTS")
    assert static == table
    assert set(package.__all__) - {"__version__"} == set(table)
    for name, module in table.items():
        assert getattr(package, name) is getattr(sys.modules[f"{package.__name__}.{module}"], name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        rekolabels.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        from rekolabels import NoSuchThing  # type: ignore[attr-defined]  # noqa: F401
    assert set(rekolabels.__all__) <= set(dir(rekolabels))


HEAVY = ("rich", "matplotlib", "pyarrow")


def modules_after(code: str) -> list[str]:
    """Top-level packages among boto3, botocore, pydantic and the heavy extras that a fresh
    interpreter has imported after running ``code``."""
    watched = {*HEAVY, "boto3", "botocore", "pydantic", "pydantic_core"}
    report = f"sorted({{m.split('.')[0] for m in sys.modules}} & {watched!r})"
    script = f"import sys, json\n{code}\nprint(json.dumps({report}))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_importing_the_package_imports_nothing_until_a_name_is_used() -> None:
    assert (
        modules_after("import rekolabels, rekolabels.testing, rekolabels.testing._pytest_plugin")
        == []
    )
    assert modules_after("import rekolabels; rekolabels.__version__; rekolabels.__all__") == []


def test_using_the_client_and_models_never_imports_rich_matplotlib_or_pyarrow() -> None:
    loaded = modules_after(
        "import rekolabels as rl, rekolabels.testing\n"
        "rl.LabelDetectionClient, rl.GetLabelDetectionResponse, rl.aggregate_segments\n"
        "rl.summarize_labels, rl.RekolabelsError, rl.testing.FakeRekognition"
    )
    assert "boto3" in loaded
    assert "pydantic" in loaded
    assert not set(loaded) & set(HEAVY)
