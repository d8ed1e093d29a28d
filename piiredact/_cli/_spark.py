"""
``--engine spark`` for ``piiredact redact`` and ``piiredact scan``: the same work on Apache Spark,
for inputs too big for one process.

Text and JSON-lines inputs are read as lines (``spark.read.text``) and each line is redacted or
searched exactly as the local engine does it, so the output and the report are the same; parquet
inputs are redacted with :func:`piiredact.spark.redact_dataframe` and searched as the JSON text of
each row (``DataFrame.toJSON``), line numbers being row numbers within each file. PySpark is
imported only when the engine is asked for.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from piiredact import Policy
from piiredact._cli._inputs import STDIN, find_files
from piiredact._cli._redact import _encode, redact_line
from piiredact._cli._scan import UNSCANNABLE, FileSummary, Location, Reporter
from piiredact._redactor import failure_reason


if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import SparkSession

    from piiredact.spark import _Engine


__all__ = ["ENGINES", "add_engine_options", "redact_with_spark", "scan_with_spark", "spark_inputs"]

#: The values of ``--engine``.
ENGINES = ("local", "spark")

_PARQUET = ".parquet"
_FINDINGS_PER_SLICE = 10_000  # findings the driver takes from Spark at a time
# The columns of a scan's per-line results: the file, where its part (split) starts, the line
# within that part (or within the file, for parquet rows), the finding; a part's line count is a
# row without a rule.
_FOUND_SCHEMA = (
    "file int, part long, row long, column int, end_column int, rule string, kind string,"
    " reason string"
)


class SparkFailed(OSError):
    """Spark could not start, read or write: one line, reported as an I/O error."""


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--spark-master``, for ``redact`` and ``scan``."""
    group = parser.add_argument_group("engine")
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="run in this process (local, the default) or on Apache Spark (spark extra): inputs "
        "and -o may then be any path Spark reads or writes (s3a://, hdfs://)",
    )
    group.add_argument(
        "--spark-master",
        metavar="URL",
        help="the Spark master for --engine spark (default: spark-submit's, else local[*], "
        "every core here)",
    )


# ------------------------------------------------------------------------------------- redact


def redact_with_spark(args: argparse.Namespace, policy: Policy) -> None:
    """
    ``piiredact redact --engine spark``: the inputs into the directory ``-o``, as part files of
    their own format (text lines gzip-compressed when ``-o`` ends in ``.gz``; parquet).

    Raises:
        UsageError: No ``-o``, standard input, a missing local input, an existing output, or
            inputs of both formats.
        SparkFailed: Spark could not start, read or write.
    """
    from piiredact._cli import UsageError  # noqa: PLC0415 - the CLI imports this module

    names = args.files
    if not names or STDIN in names:
        msg = "--engine spark reads files, not standard input"
        raise UsageError(msg)
    if not args.output:
        msg = "--engine spark writes a directory of part files: give -o OUT"
        raise UsageError(msg)
    _check_local(names)
    if os.path.exists(args.output):
        msg = f"the output {args.output!r} exists (Spark writes a new directory)"
        raise UsageError(msg)
    parquet = _is_parquet(names)
    spark_api = _import_spark()
    engine = spark_api._Engine(policy)  # a bad policy fails here, before Spark starts
    with _session(args.spark_master) as spark, _spark_errors():
        if parquet:
            table = spark.read.parquet(*names)
            spark_api.redact_dataframe(table, policy=policy).write.parquet(args.output)
            return
        lines = spark.read.text(names).select(_col("value").cast("binary").alias("value"))
        redacted = lines.mapInArrow(_redact_lines(engine), "value binary")
        compression = "gzip" if args.output.endswith(".gz") else "none"
        redacted.select(_col("value").cast("string")).write.text(
            args.output, compression=compression
        )


def _redact_lines(engine: _Engine) -> Callable[[Iterator[pa.RecordBatch]], Iterator[Any]]:
    """Redact lines (bytes) as ``piiredact redact`` does: JSON key-aware, anything else as text,
    bytes that are not UTF-8 kept as they are."""

    def redact(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the executors

        redactor = engine.redactor
        for batch in batches:
            out: list[bytes | None] = []
            for raw in batch.column(0).to_pylist():
                if raw is None:
                    out.append(None)
                    continue
                text = raw.decode("utf-8", "surrogateescape")
                redacted = redact_line(redactor, text)
                out.append(raw if redacted is text else _encode(redacted))
            yield pa.RecordBatch.from_arrays([pa.array(out, pa.binary())], names=["value"])

    return redact


# --------------------------------------------------------------------------------------- scan


def spark_inputs(args: argparse.Namespace) -> tuple[list[str], list[tuple[str, str]]]:
    """
    The files ``piiredact scan --engine spark`` lists itself: those under local directories of
    text (with ``--include`` and ``--exclude``) and local files, in order; parquet tables and
    URIs are Spark's to list.

    Returns:
        The files, and ``(name, reason)`` for each directory that could not be read.

    Raises:
        UsageError: Standard input, ``--jobs``, a missing local input, or inputs of both formats.
    """
    from piiredact._cli import UsageError  # noqa: PLC0415 - the CLI imports this module

    if STDIN in args.paths:
        msg = "--engine spark reads files, not standard input"
        raise UsageError(msg)
    if args.jobs > 1:
        msg = "--jobs is for the local engine; Spark decides its own parallelism"
        raise UsageError(msg)
    _check_local(args.paths)
    if _is_parquet(args.paths):
        return [], []
    local = [path for path in args.paths if "://" not in path]
    return find_files(local, include=args.include, exclude=args.exclude)


def scan_with_spark(
    args: argparse.Namespace, names: list[str], policy: Policy, reporter: Reporter
) -> list[FileSummary]:
    """
    ``piiredact scan --engine spark``: every finding in the files *names* (from
    :func:`spark_inputs`) and under the paths Spark lists, reported to *reporter* with its file,
    line and columns, file by file, as the local scan reports them; the summaries.

    Raises:
        SparkFailed: Spark could not start or read.
    """
    parquet = _is_parquet(args.paths)
    paths = names + [path for path in args.paths if parquet or "://" in path]
    spark_api = _import_spark()
    engine = spark_api._Engine(policy, search_only=True)
    with _session(args.spark_master) as spark, _spark_errors():
        return _scan(spark, engine, paths, names, parquet=parquet, reporter=reporter)


def _scan(
    spark: SparkSession,
    engine: _Engine,
    paths: list[str],
    names: list[str],
    *,
    parquet: bool,
    reporter: Reporter,
) -> list[FileSummary]:
    """Scan *paths* (files listed here as *names*, in their order, then what Spark lists)."""
    from pyspark.sql import functions as sf  # noqa: PLC0415

    if not paths:
        return []
    if parquet:
        table = spark.read.parquet(*paths)
        lines = table.select(
            sf.to_json(sf.struct(*[sf.col(f"`{c}`") for c in table.columns])).alias("value"),
            sf.col("_metadata.file_path").alias("path"),
            sf.lit(-1).cast("long").alias("part"),  # rows are numbered per file already
            sf.col("_metadata.row_index").alias("row"),
        )
    else:
        lines = spark.read.text(paths).select(
            "value",
            sf.col("_metadata.file_path").alias("path"),
            sf.col("_metadata.file_block_start").alias("part"),
            sf.lit(None).cast("long").alias("row"),
        )
    files = _Files(names, lines.inputFiles())
    found = lines.select(sf.col("value").cast("binary"), "path", "part", "row").mapInArrow(
        _scan_lines(engine, files.number), _FOUND_SCHEMA
    )
    found = found.persist()
    try:
        # First the line count of every part (few rows), so that lines can be numbered in files
        # that Spark read in several parts; then the findings in file and line order, brought
        # to the driver a slice at a time (Spark would merge a sort's output into a few large
        # partitions, each of which the driver would have to hold whole).
        counts = found.where(sf.col("rule").isNull()).select("file", "part", "row").collect()
        offsets, lengths = _offsets((row["file"], row["part"], row["row"]) for row in counts)
        findings = found.where(sf.col("rule").isNotNull())
        order = ("file", "part", "row", "column")
        slices = max(1, -(-findings.count() // _FINDINGS_PER_SLICE))
        ordered = findings.repartitionByRange(slices, *order).sortWithinPartitions(*order)
        return files.report(ordered.toLocalIterator(), offsets, lengths, reporter)
    finally:
        found.unpersist()


def _scan_lines(
    engine: _Engine, numbers: Callable[[str], int]
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Search lines (bytes) as ``piiredact scan`` does; one row per finding, and at the end one
    per part read with its number of lines."""

    def scan(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        redactor = engine.redactor
        find, limit = redactor.find, redactor.policy.limits.max_value_length
        lines: Counter[tuple[int, int]] = Counter()  # per file and part: lines so far
        for batch in batches:
            rows: list[tuple[Any, ...]] = []
            values, paths, parts, numbered = (c.to_pylist() for c in batch.columns)
            for raw, path, part, number in zip(values, paths, parts, numbered, strict=True):
                file = numbers(path)
                # A line of text is numbered within its part, a parquet row within its file.
                row = lines[file, part] if number is None else number
                lines[file, part] += 1
                text = b"" if raw is None else raw
                line = text.decode("utf-8", "surrogateescape")
                reason = "too_large" if len(line) > limit else ""
                if not reason:
                    try:
                        for kind, start, end, rule in find(line):
                            rows.append((file, part, row, start + 1, end + 1, rule, kind, ""))
                    except Exception as exc:  # also an engine bug: it must not hide the line
                        reason = failure_reason(exc)
                if reason:
                    rows.append((file, part, row, None, None, UNSCANNABLE, UNSCANNABLE, reason))
            yield _batch(rows)
        counts = [
            (file, part, n, None, None, None, None, None) for (file, part), n in lines.items()
        ]
        yield _batch(counts)

    return scan


def _batch(rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    """*rows* as a record batch of the scan's per-line results."""
    import pyarrow as pa  # noqa: PLC0415 - on the executors

    types = (pa.int32(), pa.int64(), pa.int64(), pa.int32(), pa.int32()) + (pa.string(),) * 3
    names = ("file", "part", "row", "column", "end_column", "rule", "kind", "reason")
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.RecordBatch.from_arrays(
        [pa.array(column, kind) for column, kind in zip(columns, types, strict=True)],
        names=list(names),
    )


def _offsets(
    counts: Iterator[tuple[int, int, int]],
) -> tuple[dict[tuple[int, int], int], Counter[int]]:
    """
    From the line count of each part of each file: the lines before each part (parts are
    numbered by where they start in the file) and the lines of each file.
    """
    by_file: dict[int, list[tuple[int, int]]] = {}
    for file, part, lines in counts:
        by_file.setdefault(file, []).append((part, lines))
    offsets: dict[tuple[int, int], int] = {}
    lengths: Counter[int] = Counter()
    for file, parts in by_file.items():
        for part, lines in sorted(parts):
            offsets[file, part] = 0 if part < 0 else lengths[file]
            lengths[file] += lines
    return offsets, lengths


class _Files:
    """
    The files of a scan, numbered in the order they are reported: the files given or listed
    here (*names*), then the others Spark reads (under directories or URIs it lists), by name.
    """

    def __init__(self, names: Sequence[str], read: Sequence[str]) -> None:
        self.names = list(names)
        self._numbers = {os.path.abspath(name): i for i, name in enumerate(names)}
        for uri in sorted(read, key=_local_path):
            key = _local_path(uri)
            if key not in self._numbers:
                self._numbers[key] = len(self.names)
                self.names.append(key)

    def number(self, uri: str) -> int:
        """The number of the file Spark read at *uri*."""
        return self._numbers[_local_path(uri)]

    def report(
        self,
        findings: Iterator[Any],
        offsets: dict[tuple[int, int], int],
        lengths: Counter[int],
        reporter: Reporter,
    ) -> list[FileSummary]:
        """Report *findings* (rows in file and line order) file by file; the summaries."""
        summaries = [FileSummary(name, lines=lengths[n]) for n, name in enumerate(self.names)]
        done = 0  # the files before this one are reported
        for row in findings:
            number = row["file"]
            while done < number:
                reporter.file_done(summaries[done])
                done += 1
            rule, kind = row["rule"], row["kind"]
            summaries[number].by_rule[rule, kind] += 1
            line = offsets[number, row["part"]] + row["row"] + 1
            location = Location(line, row["column"], row["end_column"], rule, kind, row["reason"])
            reporter.location(summaries[number].name, location)
        for summary in summaries[done:]:
            reporter.file_done(summary)
        return summaries


def _local_path(uri: str) -> str:
    """A ``file:`` URI as its local path (as the inputs were given); any other URI as it is."""
    url = urllib.parse.urlsplit(uri)
    if url.scheme == "file":
        return urllib.parse.unquote(url.path)
    return uri if url.scheme else os.path.abspath(uri)


# ------------------------------------------------------------------------------------ helpers


def _import_spark() -> Any:
    """:mod:`piiredact.spark`, or a usage error naming the extra."""
    from piiredact._cli import UsageError  # noqa: PLC0415 - the CLI imports this module

    try:
        import piiredact.spark as spark_api  # noqa: PLC0415 - only for --engine spark
    except ImportError:
        msg = "--engine spark needs the spark extra: pip install 'piiredact[spark]'"
        raise UsageError(msg) from None
    return spark_api


def _col(name: str) -> Any:
    from pyspark.sql import functions as sf  # noqa: PLC0415

    return sf.col(name)


def _check_local(paths: Sequence[str]) -> None:
    from piiredact._cli import UsageError  # noqa: PLC0415 - the CLI imports this module

    for path in paths:
        if "://" not in path and not os.path.exists(path):
            msg = f"{path!r}: no such file or directory"
            raise UsageError(msg)


def _is_parquet(paths: Sequence[str]) -> bool:
    """Whether the inputs are parquet (a ``.parquet`` name, or a directory of parquet files),
    not text or JSON lines; mixing both is a usage error."""
    from piiredact._cli import UsageError  # noqa: PLC0415 - the CLI imports this module

    kinds = {_parquet_path(path) for path in paths}
    if len(kinds) > 1:
        msg = "--engine spark reads parquet or text and JSON lines in one run, not both"
        raise UsageError(msg)
    return kinds == {True}


def _parquet_path(path: str) -> bool:
    if path.rstrip("/").endswith(_PARQUET):
        return True
    if "://" in path or not os.path.isdir(path):
        return False
    names = [name for _, _, files in os.walk(path) for name in files]
    return bool(names) and all(n.endswith(_PARQUET) or n.startswith(("_", ".")) for n in names)


@contextlib.contextmanager
def _session(master: str | None) -> Iterator[SparkSession]:
    """
    The active Spark session (a notebook, a test), else a new one, stopped at the end: on
    *master*, else on the one ``spark-submit`` was given, else on ``local[*]``.
    """
    from pyspark.sql import SparkSession  # noqa: PLC0415

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    builder = SparkSession.builder.appName("piiredact")
    # spark-submit starts the JVM, with its master, and tells PySpark where through this variable.
    if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(master or "local[*]")
    with _spark_errors("Spark could not start"):
        session = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@contextlib.contextmanager
def _spark_errors(what: str = "Spark failed") -> Iterator[None]:
    """Spark's errors (Java stack traces, Python worker tracebacks) as one line."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]  # noqa: PLC0415
    from pyspark.errors import PySparkException  # noqa: PLC0415

    try:
        yield
    except (PySparkException, Py4JError) as exc:
        first_line = str(exc).strip().partition("\n")[0][:300]
        msg = f"{what}: {first_line}"
        raise SparkFailed(msg) from None
