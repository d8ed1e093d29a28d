"""
Apache Spark integration: redact and audit DataFrames where they live, with the same policy and
the same results as :class:`~piiredact.Redactor` in one process.

:func:`redact_dataframe` returns a redacted copy of a DataFrame, :func:`scan_dataframe` a
DataFrame of findings (column, rule, count and sample row locations, never values), and
:func:`redact_column` a column expression. Values are redacted as the engine redacts the
equivalent Python value (a struct is a dict, a map a dict, an array a list, a null ``None``),
key-aware: the column name is the key of a column's values, the field names the keys inside
structs and maps; the text keys of maps are redacted too, being data. Batches travel as Arrow
record batches (``mapInArrow``, ``arrow_udf``). The policy is pickled into the task once per
call; each executor's Python worker process builds the :class:`~piiredact.Redactor` from it
once and reuses it for every later batch and task.

Needs the ``piiredact[spark]`` extra.
"""

from __future__ import annotations

import os
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any


try:
    import pyarrow as pa
    from pyspark import TaskContext
    from pyspark.sql import Column, DataFrame
    from pyspark.sql import functions as sf
    from pyspark.sql import types as st
except ImportError as exc:  # tested in a subprocess, where pyspark cannot be imported
    msg = "piiredact.spark requires pyspark and pyarrow: pip install 'piiredact[spark]'"
    raise ImportError(msg) from exc

from piiredact import FAILED_MARKER, ConfigurationError, FieldRules, Keyring, Policy, Redactor
from piiredact._redactor import collect_rules
from piiredact.testing import _holds_marker


__all__ = ["FINDINGS_SCHEMA", "UNSCANNABLE", "redact_column", "redact_dataframe", "scan_dataframe"]

#: The rule of a value that could not be searched within the policy's limits (too long, too
#: deep, too many candidates, a pattern out of time): redaction replaces it with the marker.
UNSCANNABLE = "UNSCANNABLE"

#: The schema of :func:`scan_dataframe`'s result.
FINDINGS_SCHEMA = st.StructType(
    [
        st.StructField("column", st.StringType(), nullable=False),
        st.StructField("rule", st.StringType(), nullable=False),
        st.StructField("count", st.LongType(), nullable=False),
        st.StructField("samples", st.ArrayType(st.StringType(), containsNull=False), False),
    ]
)

_TOKEN_ACTIONS = frozenset({"token", "encrypt"})
_FAILED_BYTES = FAILED_MARKER.encode()
# Redactors per executor process, by pickled policy. A worker serves task after task (Spark
# reuses Python workers), so a policy is compiled once per process, not once per task or batch.
_REDACTORS: dict[bytes, Redactor] = {}
_MAX_REDACTORS = 8
# A value Arrow holds but Python cannot (text that is not UTF-8): it fails closed.
_UNREADABLE = object()


class _Engine:
    """
    A policy on its way to the executors: validated on the driver and pickled once; the
    :class:`Redactor` it describes is built on first use in each process and kept there.
    """

    __slots__ = ("_blob",)

    def __init__(self, policy: Policy | None, *, search_only: bool = False) -> None:
        policy = policy if policy is not None else Policy.from_env()
        if search_only:
            # An audit applies no action and no field rule: masks need no token key.
            policy = policy.evolve(
                actions={rule.name: "mask" for rule in policy.rules()}, fields=FieldRules()
            )
        policy = _with_key(policy)
        Redactor(policy)  # a policy error is raised here, on the driver, not in a task
        self._blob = pickle.dumps(policy)

    @property
    def redactor(self) -> Redactor:
        """This process's redactor for the policy."""
        redactor = _REDACTORS.get(self._blob)
        if redactor is None:
            if len(_REDACTORS) >= _MAX_REDACTORS:
                _REDACTORS.clear()
            # Our own bytes, pickled on the driver and shipped in the task.
            policy = pickle.loads(self._blob)  # noqa: S301
            redactor = _REDACTORS[self._blob] = Redactor(policy)
        return redactor


def _with_key(policy: Policy) -> Policy:
    """
    *policy* with the key of its tokens in it, when it makes tokens: executors do not share the
    driver's environment or files, and a per-process random key would give every executor other
    tokens (joins with the tokens of live services would silently fail).

    Raises:
        ConfigurationError: The policy makes tokens but no key is configured, or the key is
            invalid or cannot be read.
    """
    if policy.token_key is not None or not _makes_tokens(policy):
        return policy
    if Keyring.from_policy(policy) is None:  # also: the key file or variables are invalid
        msg = (
            "the policy makes tokens (token or encrypt) but has no key; on Spark every executor "
            "needs the same one: set token_key, token_key_file or PIIREDACT_KEY on the driver"
        )
        raise ConfigurationError(msg)
    path = policy.token_key_file or os.environ.get("PIIREDACT_KEY_FILE")
    secret = Path(path).read_text(encoding="utf-8") if path else os.environ["PIIREDACT_KEY"]
    return policy.evolve(token_key=secret, token_key_file=None)


def _makes_tokens(policy: Policy) -> bool:
    """Whether any rule, action or field transform of *policy* may make tokens."""
    used = {policy.action_for(rule) for rule in policy.rules()} | set(policy.actions.values())
    for rules in (policy.fields, *policy.fields.scopes.values()):
        used.update(spec.partition(":")[0] for spec in rules.transforms.values())
    return not used.isdisjoint(_TOKEN_ACTIONS)


# --------------------------------------------------------------------------------- public API


def redact_dataframe(
    df: DataFrame, columns: Sequence[str] | None = None, *, policy: Policy | None = None
) -> DataFrame:
    """
    A redacted copy of *df*: same columns, same types, same number of rows in the same order.

    Each row's *columns* are redacted as :meth:`Redactor.redact_fields
    <piiredact.Redactor.redact_fields>` redacts the mapping of column names to Python values
    (so a policy's field rules apply, with the column names as top-level field names); without
    field rules that is :meth:`Redactor.redact_value <piiredact.Redactor.redact_value>` of each
    value under its column name. Where a column's type cannot hold what redaction made of a
    value (``[US_SSN]`` in an integer column named ``ssn``, a field rule's ``age_bucket`` of an
    integer), the value becomes null; a field the field rules drop becomes null too. A value
    that cannot be redacted becomes :data:`~piiredact.FAILED_MARKER` in its string fields and
    null elsewhere.

    Args:
        df: The DataFrame.

        columns: The top-level columns to redact; all of them when omitted.

        policy: The policy; when omitted, the one the driver's environment describes
            (:meth:`Policy.from_env <piiredact.Policy.from_env>`).

    Raises:
        ConfigurationError: The policy is invalid, makes tokens without a key, or a column is
            not in *df*. Raised here, on the driver, before any task runs.

    .. versionadded:: 0.1.0
    """
    engine = _Engine(policy)
    names = _columns(df, columns)
    fields = list(df.schema.fields)
    positions = [df.columns.index(name) for name in names]
    for position in positions:
        field = fields[position]
        fields[position] = st.StructField(field.name, _nullable(field.dataType), True)

    def redact_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        redactor = engine.redactor
        for batch in batches:
            arrays = list(batch.columns)
            for position, array in zip(
                positions, _redact_arrays(redactor, batch, names), strict=True
            ):
                arrays[position] = array
            yield pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)

    return df.mapInArrow(redact_batches, st.StructType(fields))


def redact_column(
    name: str, data_type: st.DataType | None = None, *, policy: Policy | None = None
) -> Column:
    """
    The column *name* redacted, as :func:`redact_dataframe` redacts it, as an expression:
    ``df.withColumn("message", redact_column("message"))``.

    Args:
        name: The column's name; also the key its values are redacted under.

        data_type: The column's type (``df.schema["attributes"].dataType``); a string column
            when omitted.

        policy: As for :func:`redact_dataframe`.

    Raises:
        ConfigurationError: The policy is invalid or makes tokens without a key, or this
            PySpark has no Arrow UDFs (4.1 and later have; :func:`redact_dataframe` works on
            3.5 too).

    .. versionadded:: 0.1.0
    """
    try:
        # Arrow UDFs came with PySpark 4.1.
        from pyspark.sql.pandas.functions import arrow_udf  # noqa: PLC0415
    except ImportError:
        msg = "redact_column needs PySpark 4.1 or later (Arrow UDFs); use redact_dataframe"
        raise ConfigurationError(msg) from None
    engine = _Engine(policy)

    # PySpark reads the kind of UDF from these annotations.
    def redact_arrays(arrays: Iterator[pa.Array]) -> Iterator[pa.Array]:
        redactor = engine.redactor
        for array in arrays:
            batch = pa.RecordBatch.from_arrays([array], names=[name])
            yield from _redact_arrays(redactor, batch, [name])

    # The stubs know the form with a UDF type only, which PySpark warns against.
    udf = arrow_udf(redact_arrays, _nullable(data_type or st.StringType()))  # type: ignore[call-overload]
    column: Column = udf(sf.col(name)).alias(name.rpartition(".")[2])
    return column


def scan_dataframe(
    df: DataFrame,
    columns: Sequence[str] | None = None,
    *,
    policy: Policy | None = None,
    location: str | None = None,
    samples: int = 3,
) -> DataFrame:
    """
    Where *df* holds personal data and secrets: one row per column and rule with the number of
    findings and up to *samples* row locations, never a value (:data:`FINDINGS_SCHEMA`).

    A value is searched as :func:`redact_dataframe` would redact it (key-aware, each column's
    values under its name), but nothing is replaced: tokens need no key, and field rules do not
    apply (an audit looks at everything). A value that cannot be searched within the policy's
    limits counts as a finding of rule :data:`UNSCANNABLE`.

    The result is a lazy DataFrame, ready to aggregate (``.groupBy("rule").sum("count")``) or
    to join with the rules' categories; computing it reads *df* once.

    Args:
        df: The DataFrame.

        columns: The top-level columns to search; all of them when omitted.

        policy: As for :func:`redact_dataframe`.

        location: A column whose value says where a row is (an event id, a file name); it is
            redacted itself before it is used. When omitted, a row's location is its position,
            ``"<partition>:<row>"`` (both from 0), which is stable as long as *df* is read the
            same way.

        samples: The most locations kept per column and rule (0: none).

    Raises:
        ConfigurationError: The policy is invalid, or a column is not in *df*, or *samples* is
            negative.

    .. versionadded:: 0.1.0
    """
    engine = _Engine(policy, search_only=True)
    names = _columns(df, columns)
    if location is not None:
        _columns(df, [location])
    count: object = samples  # from callers without type checks too
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        msg = f"samples must be a number of locations (0 or more), not {samples!r}"
        raise ConfigurationError(msg)
    selected = df.select(*dict.fromkeys([*names, *([location] if location else [])]))

    def scan_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        tally = _Tally(engine.redactor, samples)
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        row = 0
        for batch in batches:
            places: Iterable[str] = (
                (f"{partition}:{number}" for number in range(row, row + batch.num_rows))
                if location is None
                else _locations(tally.redactor, batch.column(location), location)
            )
            tally.batch(batch, names, list(places))
            row += batch.num_rows
        yield tally.record_batch()

    # Per partition, one row per column and rule; then across partitions.
    found = selected.mapInArrow(scan_batches, FINDINGS_SCHEMA)
    return found.groupBy("column", "rule").agg(
        sf.sum("count").alias("count"),
        sf.slice(sf.flatten(sf.collect_list("samples")), 1, samples).alias("samples"),
    )


# ----------------------------------------------------------------------------- redaction


def _redact_arrays(
    redactor: Redactor, batch: pa.RecordBatch, names: Sequence[str]
) -> Iterator[pa.Array]:
    """The columns *names* of *batch*, redacted; a column that is clean is the same array."""
    arrays = [batch.column(name) for name in names]
    columns = [_python_values(array) for array in arrays]
    out: list[list[Any]] = [list(values) for values in columns]
    changed = [False] * len(names)
    # Map keys are data ({"jane@example.com": 3}), which redact_value reads only to judge the
    # values under them: such columns are looked at whatever happened to their values.
    keyed = [_has_map(array.type) for array in arrays]
    redact = redactor.redact_fields
    for row, values in enumerate(zip(*columns, strict=True)):
        fields = dict(zip(names, values, strict=True))
        unreadable = [name for name, value in fields.items() if value is _UNREADABLE]
        for name in unreadable:
            fields[name] = FAILED_MARKER  # stands for the value in the redaction of the row
            redactor.count_failure("spark_unreadable")
        redacted = redact(fields)
        if redacted == fields and not unreadable and not any(keyed):
            continue
        failed = FAILED_MARKER in redacted and FAILED_MARKER not in fields
        for index, (name, array) in enumerate(zip(names, arrays, strict=True)):
            value = values[index]
            new = FAILED_MARKER if failed or name in unreadable else redacted.get(name)
            if keyed[index] or (new is not value and new != value):
                try:
                    new = _conform(value, new, array.type, redactor.redact)
                except Exception as exc:  # a value our conversion got wrong: fail closed
                    redactor.count_failure(f"spark_{type(exc).__name__}")
                    new = _failed(array.type)
                if new != value:
                    out[index][row] = new
                    changed[index] = True
    for array, items, change in zip(arrays, out, changed, strict=True):
        yield _rebuild(redactor, array, items) if change else array


def _python_values(array: pa.Array) -> list[Any]:
    """
    The values of *array* as Python values (structs and maps as dicts); :data:`_UNREADABLE` for
    each value Python cannot hold (text that is not UTF-8).
    """
    try:
        values: list[Any] = array.to_pylist()
    except Exception:  # find the values that fail, one by one
        values = []
        for index in range(len(array)):
            try:
                values.append(array[index].as_py())
            except Exception:
                values.append(_UNREADABLE)
    if _has_map(array.type):
        values = [_maps_as_dicts(value, array.type) for value in values]
    return values


def _maps_as_dicts(value: Any, data_type: pa.DataType) -> Any:
    """*value* with its maps, which Arrow gives as lists of pairs, as dicts (pyarrow 20 has an
    option for that; older ones, which Spark platforms ship, do not)."""
    if value is None or value is _UNREADABLE or not _has_map(data_type):
        return value
    if pa.types.is_map(data_type):
        return {key: _maps_as_dicts(item, data_type.item_type) for key, item in value}
    if pa.types.is_struct(data_type):
        return {field.name: _maps_as_dicts(value[field.name], field.type) for field in data_type}
    return [_maps_as_dicts(item, data_type.value_type) for item in value]


def _rebuild(redactor: Redactor, array: pa.Array, values: list[Any]) -> pa.Array:
    """An array of *array*'s type holding *values*; failed values when Arrow refuses them."""
    try:
        return pa.array(values, type=array.type)
    except Exception as exc:  # a value our conversion got wrong: fail closed, count it
        redactor.count_failure(f"spark_{type(exc).__name__}")
        return _failed_array(array.type, len(array))


def _failed_array(data_type: pa.DataType, length: int) -> pa.Array:
    return pa.array([_failed(data_type)] * length, type=data_type)


def _conform(
    original: Any, redacted: Any, data_type: pa.DataType, redact_key: Callable[[str], str]
) -> Any:
    """
    *redacted* (what the engine made of *original*) as a value of the Arrow type *data_type*,
    with the text keys of its maps redacted by *redact_key*: what a column of that type cannot
    hold becomes null, a failure the marker.
    """
    if redacted is None or (redacted is original and not pa.types.is_nested(data_type)):
        return redacted
    if _is_text(data_type):
        if isinstance(redacted, str):
            return redacted
        return str(redacted) if isinstance(redacted, int | float) else FAILED_MARKER
    if _is_binary(data_type):
        if isinstance(redacted, bytes):
            return redacted
        return redacted.encode("utf-8", "surrogateescape") if isinstance(redacted, str) else None
    if pa.types.is_struct(data_type):
        if not isinstance(redacted, dict):
            return _failed(data_type)
        before = original if isinstance(original, dict) else {}
        return {
            field.name: _conform(
                before.get(field.name), redacted.get(field.name), field.type, redact_key
            )
            for field in data_type
        }
    if pa.types.is_map(data_type):
        if not isinstance(redacted, dict):
            return None
        entries = original if isinstance(original, dict) else {}
        key_type, item_type = data_type.key_type, data_type.item_type
        return {
            (redact_key(key) if isinstance(key, str) else key): _conform(
                entries.get(key), item, item_type, redact_key
            )
            for key, item in redacted.items()
            if key in entries or (key == FAILED_MARKER and _is_text(key_type))
        }
    if _is_list(data_type):
        if not isinstance(redacted, list):
            return _failed(data_type)
        items = original if isinstance(original, list) else []
        item_type = data_type.value_type
        return [
            _conform(items[i] if i < len(items) else None, item, item_type, redact_key)
            for i, item in enumerate(redacted)
        ]
    # Numbers, booleans, dates, times, decimals: the engine reads them as their text.
    if isinstance(redacted, str):
        return original if redacted == str(original) else None
    return redacted if type(redacted) is type(original) else None


def _has_map(data_type: pa.DataType) -> bool:
    """Whether values of *data_type* may hold a map."""
    if pa.types.is_map(data_type):
        return True
    if pa.types.is_struct(data_type):
        return any(_has_map(field.type) for field in data_type)
    return _is_list(data_type) and _has_map(data_type.value_type)


def _map_keys(value: Any, data_type: pa.DataType) -> Iterator[str]:
    """The text keys of the maps in *value*, a Python value of *data_type*."""
    if isinstance(value, dict) and pa.types.is_map(data_type):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _map_keys(item, data_type.item_type)
    elif isinstance(value, dict) and pa.types.is_struct(data_type):
        for field in data_type:
            yield from _map_keys(value.get(field.name), field.type)
    elif isinstance(value, list) and _is_list(data_type):
        for item in value:
            yield from _map_keys(item, data_type.value_type)


def _failed(data_type: pa.DataType) -> Any:
    """A value of *data_type* that says it could not be redacted, as far as the type can."""
    if _is_text(data_type):
        return FAILED_MARKER
    if _is_binary(data_type):
        return _FAILED_BYTES
    if pa.types.is_struct(data_type):
        return {field.name: _failed(field.type) for field in data_type}
    if _is_list(data_type):
        item = _failed(data_type.value_type)
        return None if item is None else [item]
    return None


def _is_text(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _is_binary(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_binary(data_type) or pa.types.is_large_binary(data_type))


def _is_list(data_type: pa.DataType) -> bool:
    return bool(
        pa.types.is_list(data_type)
        or pa.types.is_large_list(data_type)
        or pa.types.is_fixed_size_list(data_type)
    )


# ------------------------------------------------------------------------------------ audit


class _Tally:
    """Findings of one partition by column and rule, with the first locations of each."""

    __slots__ = ("_samples", "counts", "places", "redactor")

    def __init__(self, redactor: Redactor, samples: int) -> None:
        self.redactor = redactor
        self._samples = samples
        self.counts: Counter[tuple[str, str]] = Counter()
        self.places: dict[tuple[str, str], list[str]] = {}

    def batch(self, batch: pa.RecordBatch, names: Sequence[str], places: Sequence[str]) -> None:
        """Search the columns *names* of *batch*, whose rows are at *places*."""
        redact, redact_key = self.redactor.redact_value, self.redactor.redact
        for name in names:
            array = batch.column(name)
            values = _python_values(array)
            keyed = _has_map(array.type)
            with collect_rules() as fired:
                for value, place in zip(values, places, strict=True):
                    if value is None:
                        continue
                    if value is _UNREADABLE:  # the audit must not call it clean
                        self.add(name, UNSCANNABLE, place)
                        continue
                    seen = len(fired)
                    redacted = redact(value, name)
                    if keyed:  # map keys are data too (see _redact_arrays)
                        for key in _map_keys(value, array.type):
                            redact_key(key)
                    for rule in fired[seen:]:
                        self.add(name, rule, place)
                    if (
                        redacted is not value
                        and _holds_marker(redacted, 0)
                        and not _holds_marker(value, 0)
                    ):
                        self.add(name, UNSCANNABLE, place)

    def add(self, column: str, rule: str, place: str) -> None:
        key = column, rule
        self.counts[key] += 1
        kept = self.places.setdefault(key, [])
        if len(kept) < self._samples:
            kept.append(place)

    def record_batch(self) -> pa.RecordBatch:
        keys = list(self.counts)
        return pa.RecordBatch.from_arrays(
            [
                pa.array([column for column, _ in keys], pa.string()),
                pa.array([rule for _, rule in keys], pa.string()),
                pa.array([self.counts[key] for key in keys], pa.int64()),
                pa.array([self.places[key] for key in keys], pa.list_(pa.string())),
            ],
            names=FINDINGS_SCHEMA.names,
        )


def _locations(redactor: Redactor, array: pa.Array, name: str) -> Iterator[str]:
    """The values of the location column *name*, as redacted text ("" for null)."""
    for value in _python_values(array):
        if value is _UNREADABLE:
            yield FAILED_MARKER
        else:
            yield "" if value is None else redactor.redact_value(str(value), name)


# ---------------------------------------------------------------------------------- schema


def _columns(df: DataFrame, columns: Sequence[str] | None) -> list[str]:
    """*columns* (all of *df*'s when None), checked against its schema."""
    names = list(df.columns)
    if columns is None:
        return names
    if isinstance(columns, str):
        columns = [columns]
    if unknown := [name for name in columns if name not in names]:
        msg = f"columns {unknown} are not in the DataFrame (its columns: {names})"
        raise ConfigurationError(msg)
    return list(dict.fromkeys(columns))


def _nullable(data_type: st.DataType) -> st.DataType:
    """*data_type* with every part nullable: redaction may null a value the type cannot hold."""
    if isinstance(data_type, st.StructType):
        return st.StructType(
            [st.StructField(f.name, _nullable(f.dataType), True, f.metadata) for f in data_type]
        )
    if isinstance(data_type, st.ArrayType):
        return st.ArrayType(_nullable(data_type.elementType), True)
    if isinstance(data_type, st.MapType):
        return st.MapType(data_type.keyType, _nullable(data_type.valueType), True)
    return data_type
