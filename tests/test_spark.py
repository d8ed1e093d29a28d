"""
piiredact.spark on a real local Spark session (``local[2]``, loopback only): DataFrames and
column expressions come out as the Redactor makes the same Python values, tokens are the
single-process ones, findings hold no value, and policy errors are raised on the driver.

All tests share one session (starting one costs seconds); the module is skipped, with the reason,
when pyspark or Java is missing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest


pytest.importorskip(
    "pyspark", reason="the Spark tests need pyspark: pip install 'piiredact[spark]'"
)
pytest.importorskip(
    "pyarrow", reason="the Spark tests need pyarrow: pip install 'piiredact[spark]'"
)


def _java() -> str | None:
    """The java PySpark would start: $JAVA_HOME/bin/java, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        return shutil.which(os.path.join(home, "bin", "java"))
    return shutil.which("java")


if _java() is None:
    pytest.skip(
        "the Spark tests need Java (no JAVA_HOME/bin/java, no java on PATH)",
        allow_module_level=True,
    )

# Imported once the module knows it can run.
import pyarrow as pa  # noqa: E402
from pyspark import cloudpickle  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402

from piiredact import (  # noqa: E402
    FAILED_MARKER,
    ConfigurationError,
    FieldRules,
    Limits,
    Policy,
    Redactor,
)
from piiredact._cli import main  # noqa: E402
from piiredact.spark import (  # noqa: E402
    FINDINGS_SCHEMA,
    UNSCANNABLE,
    redact_column,
    redact_dataframe,
    scan_dataframe,
)


KEY = "k1:" + "spark-test-key-0123456789abcdef-0123"
EMAIL, CARD, IP = "jane.doe@example.com", "4111 1111 1111 1111", "203.0.113.77"
SECRET = "hunter2-swordfish"
LINES = [
    f"login ok for {EMAIL} from {IP}",
    f"charged card {CARD} for order 1234",
    f"user=bob password={SECRET} retry=3",
    '{"event": "signup", "email": "' + EMAIL + '", "password": "' + SECRET + '"}',
    "GET /health 200 3ms",
    "",
    "ünïcödé line with nothing to hide",
    f"already {FAILED_MARKER} here",
    None,
]
NESTED_DDL = (
    "id long, message string,"
    " user struct<email:string, password:string, name:string, visits:int,"
    " address:struct<street:string, ip:string>>,"
    " headers map<string,string>, tags array<string>,"
    " events array<struct<kind:string, detail:string>>, latency double, at timestamp"
)
NESTED_ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "message": f"mail {EMAIL}",
        "user": {
            "email": EMAIL,
            "password": SECRET,
            "name": "Bob",
            "visits": 3,
            "address": {"street": "1 Main St", "ip": IP},
        },
        "headers": {"authorization": "Bearer abc.def-ghi_jkl", "accept": "text/html"},
        "tags": [f"card {CARD}", None, "plain"],
        "events": [{"kind": "login", "detail": f"from {IP}"}, None],
        "latency": 1.5,
        "at": dt.datetime(2024, 5, 1, 12, 30),
    },
    {
        "id": 2,
        "message": None,
        "user": None,
        "headers": None,
        "tags": None,
        "events": None,
        "latency": None,
        "at": None,
    },
    {
        "id": 3,
        "message": "nothing here",
        "user": {"email": None, "password": None, "name": None, "visits": None, "address": None},
        "headers": {},
        "tags": [],
        "events": [],
        "latency": float("inf"),
        "at": dt.datetime(2024, 5, 2, 8, 0),
    },
]


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session for every test: two cores, bound to loopback, no UI."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("piiredact-tests")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        # Functions of this module run on executors, where it cannot be imported by name.
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
        try:
            yield session
        finally:
            cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            session.stop()


@pytest.fixture(autouse=True)
def _no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token key from the environment: the tests that need one set it themselves."""
    monkeypatch.delenv("PIIREDACT_KEY", raising=False)
    monkeypatch.delenv("PIIREDACT_KEY_FILE", raising=False)


@pytest.fixture(name="lines")
def _lines(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([(line,) for line in LINES], "message string")


@pytest.fixture(name="nested")
def _nested(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(NESTED_ROWS, NESTED_DDL)


def as_python(df: DataFrame) -> list[dict[str, Any]]:
    """The rows of *df* as the Python values the engine works on (structs as dicts)."""
    return [row.asDict(recursive=True) for row in df.collect()]


def expected(redactor: Redactor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the Redactor makes of *rows*, each value under its column name; timestamps, which
    the engine reads as their text and leaves alone, stay timestamps."""
    return [
        {**redactor.redact_fields({k: v for k, v in row.items() if k != "at"}), "at": row["at"]}
        for row in rows
    ]


# ------------------------------------------------------------------------------- redaction


class TestRedactDataFrame:
    def test_text_equals_the_redactor(self, lines: DataFrame) -> None:
        """Log lines come out as Redactor.redact_value makes them under the column's name,
        nulls stay null, clean lines stay as they are."""
        redactor = Redactor()

        got = [row["message"] for row in redact_dataframe(lines, policy=Policy()).collect()]

        assert [redactor.redact_value(line, "message") for line in LINES] == got
        assert got[4:] == LINES[4:]
        assert not any(value in str(got) for value in (EMAIL, CARD, IP, SECRET))

    def test_structs_maps_arrays_equal_the_redactor(self, nested: DataFrame) -> None:
        """Structs, maps and arrays (nested, with nulls anywhere) are redacted key-aware exactly
        as the equivalent dicts and lists; numbers and timestamps pass through."""
        rows = as_python(nested)

        got = as_python(redact_dataframe(nested, policy=Policy()))

        assert expected(Redactor(), rows) == got
        assert got[0]["user"]["password"] == "[PASSWORD]"
        assert got[0]["headers"]["accept"] == "text/html"
        assert got[1] == rows[1]
        assert got[2] == rows[2]

    def test_map_keys_are_data(self, spark: SparkSession) -> None:
        """Map keys are redacted as text too (as the CLI redacts JSON keys), and scanned;
        struct field names are the schema and stay."""
        df = spark.createDataFrame(
            [({EMAIL: 3, "anonymous": 1}, {"by_ip": {IP: "seen"}})],
            "visits map<string,int>, s struct<by_ip:map<string,string>>",
        )

        got = as_python(redact_dataframe(df, policy=Policy()))
        found = scan_dataframe(df, policy=Policy()).collect()

        assert got == [
            {"visits": {"[EMAIL]": 3, "anonymous": 1}, "s": {"by_ip": {"[IPV4]": "seen"}}}
        ]
        assert sorted((row["column"], row["rule"]) for row in found) == [
            ("s", "IPV4"),
            ("visits", "EMAIL"),
        ]

    def test_schema_and_order_are_kept(self, nested: DataFrame) -> None:
        """Same columns, same types, same rows in the same order; untouched columns as they
        were."""
        redacted = redact_dataframe(nested, ["message", "user"], policy=Policy())

        assert [f.dataType for f in nested.schema] == [f.dataType for f in redacted.schema]
        got = as_python(redacted)
        assert [row["id"] for row in got] == [1, 2, 3]
        assert got[0]["tags"] == NESTED_ROWS[0]["tags"]  # not selected: left alone
        assert got[0]["user"]["email"] == "[EMAIL]"

    def test_values_a_type_cannot_hold_become_null(self, spark: SparkSession) -> None:
        """A number under a sensitive key would become '[SECRET]'; an integer column cannot
        hold it, so it becomes null, while numbers under other keys stay."""
        df = spark.createDataFrame(
            [(1234, 7, {"password": 99, "count": 5})],
            "pin int, retries int, login struct<password:int, count:int>",
        )
        python = as_python(df)[0]
        assert Redactor().redact_fields(python)["pin"] != 1234  # the engine does redact it

        got = as_python(redact_dataframe(df, policy=Policy()))

        assert got == [{"pin": None, "retries": 7, "login": {"password": None, "count": 5}}]

    def test_a_value_that_cannot_be_redacted_fails_closed(self, spark: SparkSession) -> None:
        """Past the policy's limits a string becomes the marker and a struct the marker in its
        string fields; the row is still there and no part of the value leaks."""
        policy = Policy(limits=Limits(max_value_length=40, max_depth=2))
        long_line = f"{EMAIL} " + "x" * 60
        df = spark.createDataFrame(
            [(long_line, {"inner": {"deeper": {"email": EMAIL}}}, "fine")],
            "message string, deep struct<inner:struct<deeper:struct<email:string>>>, ok string",
        )

        got = as_python(redact_dataframe(df, policy=policy))

        assert got == [
            {
                "message": FAILED_MARKER,
                "deep": {"inner": {"deeper": {"email": FAILED_MARKER}}},
                "ok": "fine",
            }
        ]

    def test_text_that_is_not_utf8_fails_closed_alone(
        self, spark: SparkSession, tmp_path: pathlib.Path
    ) -> None:
        """A line Spark read with bytes that are not UTF-8 becomes the marker (and scanning
        reports it UNSCANNABLE); the lines around it are redacted as usual."""
        path = tmp_path / "mixed.log"
        path.write_bytes(b"mail " + EMAIL.encode() + b"\ncaf\xe9 " + EMAIL.encode() + b"\nok\n")
        df = spark.read.text(str(path))

        got = [row["value"] for row in redact_dataframe(df, policy=Policy()).collect()]
        found = scan_dataframe(df, policy=Policy()).collect()

        assert got == ["mail [EMAIL]", FAILED_MARKER, "ok"]
        assert sorted((row["rule"], row["samples"]) for row in found) == [
            ("EMAIL", ["0:0"]),
            (UNSCANNABLE, ["0:1"]),
        ]

    def test_field_rules_apply_with_column_names_as_fields(self, nested: DataFrame) -> None:
        """A policy's field rules see each row as a mapping of its columns: denied fields
        become null, transforms apply, as redact_fields does."""
        policy = Policy(
            token_key=KEY,
            fields=FieldRules(deny=("user.address", "headers"), transforms={"user.name": "token"}),
        )
        rows = as_python(nested)

        got = as_python(redact_dataframe(nested, policy=policy))

        assert got[0]["user"]["address"] is None
        assert got[0]["headers"] is None
        assert got[0]["user"]["name"].startswith("<NAME:k1:")
        want = expected(Redactor(policy), rows)
        for row in want:
            row.setdefault("headers", None)
            if row["user"] is not None:
                row["user"].setdefault("address", None)
        assert want == got

    def test_unknown_column_is_a_configuration_error(self, lines: DataFrame) -> None:
        """Naming a column the DataFrame lacks fails at once, naming it."""
        with pytest.raises(ConfigurationError, match=r"\['msg'\] are not in the DataFrame"):
            redact_dataframe(lines, ["msg"], policy=Policy())


class TestTokens:
    def test_tokens_equal_the_single_process_ones(self, nested: DataFrame) -> None:
        """With a key, Spark writes the tokens one process writes for the same values (joins
        across batch and live data work)."""
        policy = Policy(actions={"EMAIL": "token", "IPV4": "token"}, token_key=KEY)
        rows = as_python(nested)

        got = as_python(redact_dataframe(nested, policy=policy))

        assert expected(Redactor(policy), rows) == got
        token = Redactor(policy).redact(EMAIL)
        assert token.startswith("<EMAIL:k1:")
        assert got[0]["user"]["email"] == token

    def test_a_key_in_the_driver_environment_reaches_the_executors(
        self, lines: DataFrame, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """PIIREDACT_KEY set on the driver only (the Python workers were started before it was
        set) still gives the single-process tokens: the key travels with the policy."""
        monkeypatch.setenv("PIIREDACT_KEY", KEY)
        policy = Policy(actions={"contact": "token"})

        got = [row["message"] for row in redact_dataframe(lines, policy=policy).collect()]

        assert [Redactor(policy).redact_value(line, "message") for line in LINES] == got
        assert Redactor(Policy(actions={"contact": "token"}, token_key=KEY)).redact(EMAIL) in got[0]

    def test_a_key_file_is_read_on_the_driver(
        self, lines: DataFrame, tmp_path: pathlib.Path
    ) -> None:
        """A token_key_file is read once, on the driver; executors need no copy of it."""
        key_file = tmp_path / "keys"
        key_file.write_text(f"# rotated 2024-05\n{KEY}\n", encoding="utf-8")
        policy = Policy(actions={"EMAIL": "token"}, token_key_file=str(key_file))
        redacted = redact_dataframe(lines, policy=policy)
        key_file.unlink()

        got = [row["message"] for row in redacted.collect()]

        assert got[0] == Redactor(Policy(actions={"EMAIL": "token"}, token_key=KEY)).redact(
            LINES[0]
        )


class TestPolicyErrors:
    """A bad policy fails on the driver with our message, before any task runs."""

    def test_tokens_without_a_key(self, lines: DataFrame) -> None:
        """Tokens without a key would differ on every executor: refused."""
        with pytest.raises(ConfigurationError, match=r"makes tokens .* but has no key"):
            redact_dataframe(lines, policy=Policy(actions={"EMAIL": "token"}))

    def test_missing_key_file(self, lines: DataFrame, tmp_path: pathlib.Path) -> None:
        """A key file that cannot be read is named in the error."""
        missing = tmp_path / "no-such-key"
        policy = Policy(actions={"EMAIL": "token"}, token_key_file=str(missing))

        with pytest.raises(ConfigurationError, match="no-such-key"):
            redact_dataframe(lines, policy=policy)

    def test_reversible_tokens_without_a_key(self, lines: DataFrame) -> None:
        """Reversible tokens need the key as much as keyed ones."""
        with pytest.raises(ConfigurationError, match="has no key"):
            redact_dataframe(lines, policy=Policy(actions={"EMAIL": "encrypt"}))

    def test_without_a_policy_the_driver_environment_decides(
        self, lines: DataFrame, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No policy: Policy.from_env() on the driver, its errors raised there."""
        monkeypatch.setenv("PIIREDACT_ACTIONS", "EMAIL=token")

        with pytest.raises(ConfigurationError, match="has no key"):
            redact_dataframe(lines)


# ---------------------------------------------------------------------------- column functions


def _has_arrow_udfs() -> bool:
    try:
        from pyspark.sql.pandas.functions import arrow_udf  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _has_arrow_udfs(), reason="redact_column needs PySpark 4.1 or later")
class TestRedactColumn:
    def test_string_column(self, lines: DataFrame) -> None:
        """The expression gives what redact_dataframe gives, under the column's name."""
        got = lines.select(redact_column("message", policy=Policy()))

        assert got.columns == ["message"]
        assert redact_dataframe(lines, policy=Policy()).collect() == got.collect()

    def test_the_policy_is_checked_when_it_is_built(self) -> None:
        """A bad policy fails where the expression is made, not in a task."""
        with pytest.raises(ConfigurationError, match="has no key"):
            redact_column("message", policy=Policy(actions={"EMAIL": "token"}))

    def test_struct_column(self, nested: DataFrame) -> None:
        """A struct column, given its type, is redacted key-aware like the Python dict."""
        user_type = nested.schema["user"].dataType
        got = nested.withColumn("user", redact_column("user", user_type, policy=Policy()))

        want = [Redactor().redact_value(row["user"], "user") for row in as_python(nested)]
        assert want == [row["user"] for row in as_python(got)]


@pytest.mark.skipif(_has_arrow_udfs(), reason="this PySpark has Arrow UDFs")
def test_redact_column_says_what_it_needs() -> None:
    """Before PySpark 4.1 the column function says so, and what to use instead."""
    with pytest.raises(ConfigurationError, match=r"PySpark 4\.1 or later .* use redact_dataframe"):
        redact_column("message", policy=Policy())


# ------------------------------------------------------------------------------------ audit


class TestScanDataFrame:
    def test_findings_by_column_and_rule_without_values(self, nested: DataFrame) -> None:
        """One row per column and rule with counts and row locations; no value anywhere."""
        findings = scan_dataframe(nested, policy=Policy(), location="id")

        assert findings.schema.names == FINDINGS_SCHEMA.names
        rows = {(r["column"], r["rule"]): (r["count"], r["samples"]) for r in findings.collect()}
        assert rows[("message", "EMAIL")] == (1, ["1"])
        assert rows[("user", "EMAIL")] == (1, ["1"])
        assert rows[("user", "PASSWORD_VALUE")][0] == 1
        assert rows[("tags", "CREDIT_CARD")] == (1, ["1"])
        assert rows[("events", "IPV4")] == (1, ["1"])
        assert "id" not in {column for column, _ in rows}
        text = json.dumps(sorted(rows.items()))
        assert not any(value in text for value in (EMAIL, CARD, IP, SECRET, "abc.def"))

    def test_counts_match_the_redactor(self, lines: DataFrame) -> None:
        """Counts are the findings redaction replaces; the default location is the row's
        position, partition and row."""
        findings = scan_dataframe(lines, policy=Policy(), samples=10).collect()

        total = sum(row["count"] for row in findings)
        stats = Redactor()
        for line in LINES:
            stats.redact_value(line, "message")
        assert sum(v for k, v in stats.stats.items() if k.startswith("rule:")) == total
        places = [place for row in findings for place in row["samples"]]
        assert all(re.fullmatch(r"\d+:\d+", place) for place in places)

    def test_locations_are_redacted(self, spark: SparkSession) -> None:
        """A location column holding personal data is redacted before it is reported."""
        df = spark.createDataFrame([(EMAIL, f"card {CARD}")], "owner string, note string")

        rows = scan_dataframe(df, ["note"], policy=Policy(), location="owner").collect()

        assert [tuple(row) for row in rows] == [("note", "CREDIT_CARD", 1, ["[EMAIL]"])]

    def test_unscannable_values_are_findings(self, spark: SparkSession) -> None:
        """A value past the limits is reported as UNSCANNABLE, not passed as clean."""
        df = spark.createDataFrame([("y" * 100,), ("short",)], "message string")

        rows = scan_dataframe(df, policy=Policy(limits=Limits(max_value_length=50))).collect()

        assert [(r["column"], r["rule"], r["count"]) for r in rows] == [("message", UNSCANNABLE, 1)]

    def test_tokens_need_no_key_to_be_found(self, lines: DataFrame) -> None:
        """An audit replaces nothing: a policy that makes tokens needs no key to scan with."""
        policy = Policy(actions={"EMAIL": "token"}, fields=FieldRules(transforms={"a": "token"}))

        rows = scan_dataframe(lines, policy=policy).collect()

        assert ("message", "EMAIL") in {(row["column"], row["rule"]) for row in rows}

    def test_no_samples(self, lines: DataFrame) -> None:
        """samples=0 keeps counts and no locations."""
        rows = scan_dataframe(lines, policy=Policy(), samples=0).collect()

        assert rows
        assert all(row["samples"] == [] and row["count"] > 0 for row in rows)

    def test_bad_arguments(self, lines: DataFrame) -> None:
        """A negative sample count or an unknown location column is refused at once."""
        with pytest.raises(ConfigurationError, match="samples"):
            scan_dataframe(lines, samples=-1, policy=Policy())
        with pytest.raises(ConfigurationError, match="not in the DataFrame"):
            scan_dataframe(lines, location="nope", policy=Policy())


# --------------------------------------------------------------------------------- executors


def test_each_process_builds_the_engine_once(spark: SparkSession) -> None:
    """Over 8 partitions of 50 rows in batches of 10, in two jobs, each Python worker process
    keeps one Redactor for the policy, and it has counted more than one batch: it was built
    once and reused, not once per batch or task."""
    policy = Policy(disabled=frozenset({"IMEI"}))  # a policy no other test uses
    df = spark.createDataFrame([(f"{i} {EMAIL}",) for i in range(400)], "message string")
    df = df.repartition(8)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "10")
    try:
        for _ in range(2):
            redact_dataframe(df, policy=policy).collect()

        def probe(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            from piiredact import spark as adapter

            for _ in batches:
                pass
            kept = [r for r in adapter._REDACTORS.values() if r.policy == policy]
            emails = [r.stats.get("rule:EMAIL", 0) for r in kept]
            yield pa.RecordBatch.from_pydict({"pid": [os.getpid()], "emails": [emails]})

        schema = "pid long, emails array<long>"
        reports = df.mapInArrow(probe, schema).collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")

    per_process = {row["pid"]: row["emails"] for row in reports}
    assert all(len(emails) <= 1 for emails in per_process.values())
    counts = [emails[0] for emails in per_process.values() if emails]
    assert counts
    assert all(10 < count <= 800 for count in counts)


# -------------------------------------------------------------------------------------- CLI

# Text and JSON lines as a service writes them, with a line that is not UTF-8.
LOG = (
    "\n".join(line for line in LINES if line is not None).encode()
    + b"\nlatin-1 caf\xe9 for " + EMAIL.encode() + b"\n"
    + b'{"user": {"email": "' + EMAIL.encode() + b'", "ip": "' + IP.encode() + b'"}}\n'
)  # fmt: skip


def run_cli(*args: str) -> int:
    return main([*args])


def part_files(directory: pathlib.Path, suffix: str) -> list[pathlib.Path]:
    return sorted(directory.glob(f"part-*{suffix}"))


class TestCommandLine:
    def test_redact_text_and_json_lines_like_the_local_engine(
        self, spark: SparkSession, tmp_path: pathlib.Path
    ) -> None:
        """Lines come out as the local engine writes them, JSON key-aware, other bytes kept."""
        source = tmp_path / "app.log"
        source.write_bytes(LOG)
        assert run_cli("redact", str(source), "-o", str(tmp_path / "local.log")) == 0

        status = run_cli("redact", "--engine", "spark", str(source), "-o", str(tmp_path / "out"))

        assert status == 0
        written = b"".join(p.read_bytes() for p in part_files(tmp_path / "out", ".txt"))
        assert written == (tmp_path / "local.log").read_bytes()
        assert EMAIL.encode() not in written
        assert b"caf\xe9" in written

    def test_redact_gzip_output(self, spark: SparkSession, tmp_path: pathlib.Path) -> None:
        """-o ending in .gz writes gzip-compressed part files."""
        source = tmp_path / "app.log"
        source.write_bytes(LOG)

        assert (
            run_cli("redact", "--engine", "spark", str(source), "-o", str(tmp_path / "o.gz")) == 0
        )

        parts = part_files(tmp_path / "o.gz", ".txt.gz")
        assert parts
        text = b"".join(gzip.decompress(p.read_bytes()) for p in parts)
        assert text.count(b"[EMAIL]") == LOG.count(EMAIL.encode())

    def test_redact_parquet(self, nested: DataFrame, tmp_path: pathlib.Path) -> None:
        """A parquet table comes out as a parquet table, as redact_dataframe makes it."""
        nested.write.parquet(str(tmp_path / "events.parquet"))
        out = tmp_path / "clean.parquet"

        assert (
            run_cli("redact", "--engine", "spark", str(tmp_path / "events.parquet"), "-o", str(out))
            == 0
        )

        spark = nested.sparkSession
        got = sorted(as_python(spark.read.parquet(str(out))), key=lambda row: row["id"])
        assert expected(Redactor(), as_python(nested)) == got

    def test_scan_reports_what_the_local_scan_reports(
        self, spark: SparkSession, tmp_path: pathlib.Path
    ) -> None:
        """Same findings at the same lines and columns, same counts and exit status, also when
        Spark reads each file in several parts."""
        logs = tmp_path / "logs"
        logs.mkdir()
        (logs / "a.log").write_bytes(LOG * 20)
        (logs / "b.log").write_bytes(b"nothing to see\n" * 50)
        (logs / "skip.txt").write_bytes(LOG)
        options = ["--format", "json", "--include", "*.log"]
        local_status = run_cli("scan", str(logs), *options, "-o", str(tmp_path / "local.json"))
        spark.conf.set("spark.sql.files.maxPartitionBytes", "512")  # a.log in several parts
        try:
            status = run_cli(
                "scan", "--engine", "spark", str(logs), *options, "-o", str(tmp_path / "s.json")
            )
        finally:
            spark.conf.unset("spark.sql.files.maxPartitionBytes")

        assert (local_status, status) == (1, 1)
        local = json.loads((tmp_path / "local.json").read_text())
        got = json.loads((tmp_path / "s.json").read_text())
        assert local == got
        assert len(got["findings"]) > 100

    def test_scan_parquet_by_row(self, nested: DataFrame, tmp_path: pathlib.Path) -> None:
        """Parquet rows are searched as their JSON; a finding's line is its row in its file."""
        nested.coalesce(1).write.parquet(str(tmp_path / "t.parquet"))
        report = tmp_path / "report.json"

        status = run_cli(
            "scan",
            "--engine",
            "spark",
            str(tmp_path / "t.parquet"),
            "--format",
            "json",
            "-o",
            str(report),
        )

        assert status == 1
        text = report.read_text()
        findings = json.loads(text)["findings"]
        assert {f["line"] for f in findings} == {1}  # all in the first row
        assert {"EMAIL", "PASSWORD", "CREDIT_CARD"} <= {f["kind"] for f in findings}
        assert all(f["file"].endswith(".parquet") for f in findings)
        assert not any(value in text for value in (EMAIL, CARD, IP, SECRET))

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["redact", "--engine", "spark", "-o", "out"], "not standard input"),
            (["redact", "--engine", "spark", "in.log"], "give -o OUT"),
            (["redact", "--engine", "spark", "missing.log", "-o", "out"], "no such file"),
            (["redact", "--engine", "spark", "in.log", "-o", "in.log"], "exists"),
            (["redact", "--engine", "spark", "in.log", "t.parquet", "-o", "out"], "not both"),
            (["scan", "--engine", "spark", "-"], "not standard input"),
            (["scan", "--engine", "spark", "--jobs", "2", "in.log"], "--jobs is for the local"),
        ],
    )
    def test_usage_errors(
        self,
        args: list[str],
        message: str,
        tmp_path: pathlib.Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Inputs and outputs Spark cannot use are one-line usage errors, status 2."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "in.log").write_text("x\n")
        (tmp_path / "t.parquet").mkdir()

        status = run_cli(*args)

        err = capsys.readouterr().err
        assert status == 2
        assert message in err
        assert err.count("\n") == 1


# ---------------------------------------------------------------------------------- packaging


def test_readme_snippet(
    nested: DataFrame, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's Spark snippet runs: the table comes out with tokens instead of addresses,
    the findings print by rule."""
    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Apache Spark\n", 1)[1].split("\n## ", 1)[0]
    snippet = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PIIREDACT_KEY", KEY)
    (tmp_path / "piiredact.toml").write_text('[piiredact]\nactions = { EMAIL = "token" }\n')
    # The JVM does not follow chdir(): Spark gets the tables by their full paths.
    snippet = snippet.replace('"events', f'"{tmp_path}/events')
    nested.withColumnRenamed("id", "event_id").write.parquet(str(tmp_path / "events.parquet"))

    exec(snippet, {"spark": nested.sparkSession})  # noqa: S102 - our own README

    clean = json.dumps(
        as_python(nested.sparkSession.read.parquet(str(tmp_path / "events-clean.parquet"))),
        default=str,
    )
    assert EMAIL not in clean
    assert "<EMAIL:k1:" in clean


@pytest.mark.parametrize("missing", ["java", "pyspark"])
def test_skipped_with_a_reason_without_java_or_pyspark(
    missing: str, tmp_path: pathlib.Path
) -> None:
    """Without Java or pyspark this module is skipped, and the summary says why."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYTHONPATH")}
    if missing == "java":
        env["PATH"] = os.path.dirname(sys.executable)
    else:
        blocked = tmp_path / "pyspark"
        blocked.mkdir()
        # What Python raises for a package that is not installed.
        (blocked / "__init__.py").write_text("raise ModuleNotFoundError(name='pyspark')\n")
        env["PYTHONPATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-rs", "-q", "-p", "no:cacheprovider"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )

    reason = "need Java" if missing == "java" else "need pyspark"
    assert re.search(rf"SKIPPED \[1\] .*test_spark.py.*{reason}", result.stdout), result.stdout
