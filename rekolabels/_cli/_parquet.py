"""``get-label-detection --output parquet --out FILE``: LabelTable pages streamed into one file.

Its own module, so the online command gains only a branch: pages come from ``iter_tables`` (the
response bytes, no models) and pyarrow is imported only here, when the output is asked for.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import UsageError, require_extra

if TYPE_CHECKING:
    from .._table import LabelTable

__all__ = ["parquet_target", "write_parquet"]

# Pages are gathered into row groups of about this many rows before they are written: a
# Parquet row group per 1,000-label page would make a million-detection file slow to scan.
_ROW_GROUP_ROWS = 64 * 1024


def parquet_target(args: argparse.Namespace) -> Path | None:
    """The file ``--output parquet`` writes (None for the other outputs); usage errors now,
    before any request."""
    if args.output != "parquet":
        if args.out is not None:
            raise UsageError("--out is for --output parquet; the other outputs go to stdout")
        return None
    if args.out is None:
        raise UsageError("--output parquet needs --out FILE")
    require_extra("arrow", "'--output parquet'")
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"cannot write {args.out}: it is a directory")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {args.out}: no directory {out.parent}")
    return out


def write_parquet(
    tables: Iterator[LabelTable], out: Path, *, whole_job: bool, advance: Callable[[int], None]
) -> None:
    """Stream pages into one Parquet file, the file ``LabelTable.write_parquet`` writes.

    The job-level fields go into the file's metadata from the first page (without NextToken
    for a whole job, as ``get_table`` merges pages). Written to a temporary file beside ``out``
    and renamed once complete: an error or an interruption leaves no partial file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .._table import JOB_METADATA_KEY, columns, without_next_token

    cols = columns()
    temp = out.with_name(f".{out.name}.{os.getpid()}.part")
    writer = None
    pending: list[Any] = []
    rows = 0
    try:
        for part in tables:
            if writer is None:
                job = without_next_token(part.job) if whole_job else part.job
                metadata = {JOB_METADATA_KEY: cols.job_metadata(job)}
                writer = pq.ParquetWriter(temp, cols.SCHEMA.with_metadata(metadata))
            pending.append(part.arrow)
            rows += len(part)
            advance(len(part))
            del part
            if rows >= _ROW_GROUP_ROWS:
                writer.write_table(pa.concat_tables(pending))
                pending, rows = [], 0
        if writer is not None:
            if pending:
                writer.write_table(pa.concat_tables(pending))
            writer.close()
            writer = None
            os.replace(temp, out)
    finally:
        if writer is not None:
            writer.close()
        temp.unlink(missing_ok=True)
