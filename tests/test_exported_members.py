import rekolabels

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
    "RekolabelsError", "ResponseValidationError", "ServiceError", "ServiceUnavailableError",
    "ThrottledError", "WaitTimeoutError",
    # local re-sort and re-aggregate
    "aggregate_segments", "reaggregate", "resort", "sort_labels",
    # label analytics
    "LabelSummary", "filter_labels", "sampling_period_ms", "summarize_labels",
    # completion notifications
    "NotificationStatus", "NotificationVideo", "VideoJobNotification", "iter_notifications",
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
