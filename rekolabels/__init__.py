"""rekolabels: a typed SDK for Amazon Rekognition Video label detection results.

``import rekolabels`` imports none of its modules: each public name is imported the first time
it is used (PEP 562 ``__getattr__``). A process that merely has rekolabels installed (pytest
loads its plugin in every run) or asks the CLI for ``--help`` does not pay for boto3 and
pydantic, and nothing here ever imports rich, matplotlib or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# The public API: each name and the private module that defines it. Exporting a name is one
# line here, plus its import under TYPE_CHECKING below for type checkers and IDEs
# (tests/test_exported_members.py fails, naming it, if the two disagree).
_EXPORTS: dict[str, str] = {
    # models (botocore shape names) and enums
    "BoundingBox": "_models",
    "DominantColor": "_models",
    "GetLabelDetectionRequest": "_models",
    "GetLabelDetectionRequestMetadata": "_models",
    "GetLabelDetectionResponse": "_models",
    "Instance": "_models",
    "Label": "_models",
    "LabelAlias": "_models",
    "LabelCategory": "_models",
    "LabelDetection": "_models",
    "LabelDetectionAggregateBy": "_models",
    "LabelDetectionSortBy": "_models",
    "Parent": "_models",
    "ResponseMetadata": "_models",
    "S3Object": "_models",
    "Video": "_models",
    "VideoColorRange": "_models",
    "VideoJobStatus": "_models",
    "VideoMetadata": "_models",
    # the client
    "LabelDetectionClient": "_client",
    # retries
    "RetryPolicy": "_retry",
    # errors and warnings
    "AccessDeniedError": "_errors",
    "InternalServiceError": "_errors",
    "InvalidArgumentError": "_errors",
    "InvalidPaginationTokenError": "_errors",
    "InvalidParameterError": "_errors",
    "JobFailedError": "_errors",
    "JobInProgressError": "_errors",
    "JobNotFoundError": "_errors",
    "PaginationLoopError": "_errors",
    "PartialJobWarning": "_errors",
    "RekolabelsError": "_errors",
    "ResponseValidationError": "_errors",
    "ServiceError": "_errors",
    "ServiceTimeoutError": "_errors",
    "ServiceUnavailableError": "_errors",
    "ThrottledError": "_errors",
    "WaitTimeoutError": "_errors",
    # local re-sort and re-aggregate
    "aggregate_segments": "_transform",
    "reaggregate": "_transform",
    "resort": "_transform",
    "sort_labels": "_transform",
    # label analytics
    "LabelSummary": "_analytics",
    "filter_labels": "_analytics",
    "sampling_period_ms": "_analytics",
    "summarize_labels": "_analytics",
    # botocore data: paginators and a waiter for plain boto3 and the AWS CLI
    "botocore_data_path": "_botocore_data",
    "register_botocore_data": "_botocore_data",
    # completion notifications (SNS / SQS)
    "NotificationStatus": "_notifications",
    "NotificationVideo": "_notifications",
    "VideoJobNotification": "_notifications",
    "iter_notifications": "_sqs",
    # columnar tables (extra [arrow]: pyarrow is imported on first use)
    "LabelTable": "_table",
    # many jobs: export to a dataset
    "ExportReport": "_export",
    "export_jobs": "_export",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from ._analytics import LabelSummary as LabelSummary
    from ._analytics import filter_labels as filter_labels
    from ._analytics import sampling_period_ms as sampling_period_ms
    from ._analytics import summarize_labels as summarize_labels
    from ._botocore_data import botocore_data_path as botocore_data_path
    from ._botocore_data import register_botocore_data as register_botocore_data
    from ._client import LabelDetectionClient as LabelDetectionClient
    from ._errors import AccessDeniedError as AccessDeniedError
    from ._errors import InternalServiceError as InternalServiceError
    from ._errors import InvalidArgumentError as InvalidArgumentError
    from ._errors import InvalidPaginationTokenError as InvalidPaginationTokenError
    from ._errors import InvalidParameterError as InvalidParameterError
    from ._errors import JobFailedError as JobFailedError
    from ._errors import JobInProgressError as JobInProgressError
    from ._errors import JobNotFoundError as JobNotFoundError
    from ._errors import PaginationLoopError as PaginationLoopError
    from ._errors import PartialJobWarning as PartialJobWarning
    from ._errors import RekolabelsError as RekolabelsError
    from ._errors import ResponseValidationError as ResponseValidationError
    from ._errors import ServiceError as ServiceError
    from ._errors import ServiceTimeoutError as ServiceTimeoutError
    from ._errors import ServiceUnavailableError as ServiceUnavailableError
    from ._errors import ThrottledError as ThrottledError
    from ._errors import WaitTimeoutError as WaitTimeoutError
    from ._export import ExportReport as ExportReport
    from ._export import export_jobs as export_jobs
    from ._models import BoundingBox as BoundingBox
    from ._models import DominantColor as DominantColor
    from ._models import GetLabelDetectionRequest as GetLabelDetectionRequest
    from ._models import GetLabelDetectionRequestMetadata as GetLabelDetectionRequestMetadata
    from ._models import GetLabelDetectionResponse as GetLabelDetectionResponse
    from ._models import Instance as Instance
    from ._models import Label as Label
    from ._models import LabelAlias as LabelAlias
    from ._models import LabelCategory as LabelCategory
    from ._models import LabelDetection as LabelDetection
    from ._models import LabelDetectionAggregateBy as LabelDetectionAggregateBy
    from ._models import LabelDetectionSortBy as LabelDetectionSortBy
    from ._models import Parent as Parent
    from ._models import ResponseMetadata as ResponseMetadata
    from ._models import S3Object as S3Object
    from ._models import Video as Video
    from ._models import VideoColorRange as VideoColorRange
    from ._models import VideoJobStatus as VideoJobStatus
    from ._models import VideoMetadata as VideoMetadata
    from ._notifications import NotificationStatus as NotificationStatus
    from ._notifications import NotificationVideo as NotificationVideo
    from ._notifications import VideoJobNotification as VideoJobNotification
    from ._retry import RetryPolicy as RetryPolicy
    from ._sqs import iter_notifications as iter_notifications
    from ._table import LabelTable as LabelTable
    from ._transform import aggregate_segments as aggregate_segments
    from ._transform import reaggregate as reaggregate
    from ._transform import resort as resort
    from ._transform import sort_labels as sort_labels


if not TYPE_CHECKING:  # type checkers see the imports above, and flag unknown names
    from ._lazy import exports

    __getattr__, __dir__ = exports(__name__, _EXPORTS, globals(), __all__)
    del exports
