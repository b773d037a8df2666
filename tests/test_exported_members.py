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
    # botocore data: paginators and a waiter for plain boto3 and the AWS CLI
    "botocore_data_path", "register_botocore_data",
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
