"""
``piiredact scan`` through :func:`piiredact._cli.main`: locations, formats (table, JSON, SARIF
validated against the OASIS schema), thresholds and exit statuses, directories, gzip, stdin,
worker processes, lines that cannot be searched, and that no scanned value ever appears in a
report.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest
from test_cli import feed_stdin, run, write_policy

from piiredact import FAILED_MARKER, Redactor


SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sarif-schema-2.1.0.json"
LOGHUB = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub"

APP_LOG = (
    "2024-07-30T22:04:11Z INFO login ok for jane.doe@example.com from 203.0.113.7\n"
    "2024-07-30T22:04:12Z INFO cache warm, 12 keys, took 4.2ms\n"
    '{"event":"payment","card":"4111 1111 1111 1111","user":"jdoe"}\n'
)
# (line, value, rule, kind) of every finding in APP_LOG, in order.
APP_FINDINGS = [
    (1, "jane.doe@example.com", "EMAIL", "EMAIL"),
    (1, "203.0.113.7", "IPV4", "IPV4"),
    (3, "4111 1111 1111 1111", "CREDIT_CARD", "CREDIT_CARD"),
    (3, "jdoe", "USERNAME_VALUE", "USERNAME"),
]
# (line, column, end column, rule, kind) of each finding: 1-based columns, the end just past it.
APP_LOCATED = [
    (line, start + 1, start + 1 + len(value), rule, kind)
    for line, value, rule, kind in APP_FINDINGS
    for start in [APP_LOG.splitlines()[line - 1].index(value)]
]


@pytest.fixture(name="app_log")
def _app_log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text(APP_LOG, encoding="utf-8")
    return path


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``scan --format json``; return the exit status and the parsed report."""
    status, stdout, _ = run(capsys, "scan", "--format", "json", *args)
    return status, json.loads(stdout)


# ----------------------------------------------------------------------------------- locations


def test_json_report_locates_each_finding(
    app_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each finding has its file, line, 1-based columns that slice back to the value in the
    line, its rule, kind and the action redact would take; counts per file and rule follow."""
    status, report = scan_json(capsys, str(app_log))
    lines = APP_LOG.splitlines()

    located = [
        (
            f["line"],
            lines[f["line"] - 1][f["column"] - 1 : f["end_column"] - 1],
            f["rule"],
            f["kind"],
        )
        for f in report["findings"]
    ]

    assert status == 1
    assert located == APP_FINDINGS
    assert {str(app_log)} == {f["file"] for f in report["findings"]}
    assert {"mask"} == {f["action"] for f in report["findings"]}
    assert [{"file": str(app_log), "lines": 3, "findings": 4, "error": None}] == report["files"]
    assert {r["rule"]: r["findings"] for r in report["rules"]} == {
        "EMAIL": 1,
        "IPV4": 1,
        "CREDIT_CARD": 1,
        "USERNAME_VALUE": 1,
    }
    assert {
        k: report["summary"][k] for k in ("files", "lines", "findings", "counted", "exit_status")
    } == {"files": 1, "lines": 3, "findings": 4, "counted": 4, "exit_status": 1}


def test_columns_count_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Columns count characters (Unicode code points), not bytes: accents before a value do not
    shift it."""
    log = tmp_path / "accents.log"
    log.write_text("Grüße, Zoë: 203.0.113.7\n", encoding="utf-8")

    _, report = scan_json(capsys, str(log))

    assert (report["findings"][0]["column"], report["findings"][0]["end_column"]) == (13, 24)


def test_actions_follow_the_policy(
    app_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The action reported is the one the policy would apply."""
    policy = write_policy(tmp_path / "p.toml", 'actions = { network = "drop", EMAIL = "partial" }')

    _, report = scan_json(capsys, str(app_log), "--policy", policy)

    assert {
        f["rule"]: f["action"] for f in report["findings"] if f["rule"] != "USERNAME_VALUE"
    } == {"EMAIL": "partial", "IPV4": "drop", "CREDIT_CARD": "mask"}


def test_token_actions_need_no_key_to_scan(
    app_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Scanning applies no action: a policy with tokens is scanned without a key or a warning
    about one, and the report still names the token action."""
    monkeypatch.delenv("PIIREDACT_KEY", raising=False)
    policy = write_policy(tmp_path / "p.toml", 'actions = { EMAIL = "token" }')

    status, out, err = run(capsys, "scan", "--format", "json", "--policy", policy, str(app_log))

    assert (status, err) == (1, "")
    assert {f["action"] for f in json.loads(out)["findings"] if f["rule"] == "EMAIL"} == {"token"}


def test_table_report(
    app_log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table report has one ``file:line:column`` line per finding, then the counts by rule
    and by file and a summary line."""
    monkeypatch.setenv("COLUMNS", "200")

    status, stdout, stderr = run(capsys, "scan", str(app_log))

    assert (status, stderr) == (1, "")
    assert stdout.splitlines()[:4] == [
        f"{app_log}:{line}:{column}: {kind} (rule {rule}) → mask"
        for line, column, _, rule, kind in APP_LOCATED
    ]
    assert "Findings by rule" in stdout
    assert "Findings by file" in stdout
    assert stdout.rstrip().endswith(
        "4 findings in 1 of 1 file (3 lines). Status 1: 4 counted, more than the 0 allowed."
    )


def test_clean_input_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing found: status 0, and the table says so."""
    log = tmp_path / "clean.log"
    log.write_text("GET /healthz 200 1.2ms\nblock blk_-1608999687919862906 size 67108864\n")

    status, stdout, _ = run(capsys, "scan", str(log))

    assert (status, stdout) == (0, "No findings in 1 file (2 lines).\n")


# ---------------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("options", "counted", "status"),
    [
        pytest.param((), 4, 1, id="default-any-finding"),
        pytest.param(("--max-findings", "4"), 4, 0, id="at-the-maximum"),
        pytest.param(("--max-findings", "3"), 4, 1, id="over-the-maximum"),
        pytest.param(("--fail-on", "CREDIT_CARD"), 1, 1, id="by-rule"),
        pytest.param(("--fail-on", "USERNAME"), 1, 1, id="by-kind"),
        pytest.param(("--fail-on", "network,financial"), 2, 1, id="by-category"),
        pytest.param(("--fail-on", "network", "--fail-on", "EMAIL", "--max-findings", "2"), 2, 0,
                     id="repeated-within-limit"),
        pytest.param(("--fail-on", "credential"), 0, 0, id="none-of-those"),
    ],
)  # fmt: skip
def test_threshold(
    options: tuple[str, ...],
    counted: int,
    status: int,
    app_log: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Status 1 when more findings of the ``--fail-on`` rules, kinds or categories (default: all)
    than ``--max-findings`` (default 0) are found; 0 otherwise. All findings are reported."""
    actual_status, report = scan_json(capsys, str(app_log), *options)

    assert (status, counted) == (actual_status, report["summary"]["counted"])
    assert len(report["findings"]) == 4


# ------------------------------------------------------------------------------------- inputs


def test_directories_are_walked_with_include_and_exclude(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory is scanned recursively in sorted order, gzip files included; ``--include``
    keeps matching files, ``--exclude`` drops files and whole directories."""
    root = tmp_path / "logs"
    (root / "web" / "old").mkdir(parents=True)
    (root / "cache").mkdir()
    (root / "web" / "access.log").write_text("from 203.0.113.7\n")
    (root / "web" / "old" / "access.log.1.gz").write_bytes(gzip.compress(b"from 203.0.113.8\n"))
    (root / "web" / "notes.txt").write_text("from 203.0.113.9\n")
    (root / "cache" / "x.log").write_text("from 203.0.113.10\n")
    (root / "app.log").write_text("clean\n")

    _, everything = scan_json(capsys, str(root))
    _, chosen = scan_json(
        capsys, str(root), "--include", "*.log", "--include", "*.gz", "--exclude", "cache"
    )

    assert [Path(f["file"]).relative_to(root).as_posix() for f in everything["files"]] == [
        "app.log", "cache/x.log", "web/access.log", "web/notes.txt", "web/old/access.log.1.gz",
    ]  # fmt: skip
    assert [Path(f["file"]).relative_to(root).as_posix() for f in chosen["files"]] == [
        "app.log",
        "web/access.log",
        "web/old/access.log.1.gz",
    ]
    assert [Path(f["file"]).relative_to(root).as_posix() for f in chosen["findings"]] == [
        "web/access.log",
        "web/old/access.log.1.gz",
    ]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``-`` scans standard input, reported under the name ``-``."""
    feed_stdin(monkeypatch, APP_LOG.encode())

    _, report = scan_json(capsys, "-")

    assert len(report["findings"]) == 4
    assert {"-"} == {f["file"] for f in report["findings"]}


def test_unreadable_input_is_reported_and_the_rest_scanned(
    app_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A corrupt gzip file does not stop the audit: its findings up to the damage and the other
    files are reported, the error is one line on stderr and in the report, status 2."""
    broken = tmp_path / "broken.log.gz"
    broken.write_bytes(gzip.compress(APP_LOG.encode() * 200)[:-64])

    status, stdout, stderr = run(capsys, "scan", "--format", "json", str(broken), str(app_log))
    report = json.loads(stdout)

    assert status == 2
    assert [f"piiredact scan: error: cannot read '{broken}': " + report["files"][0]["error"]] == (
        stderr.splitlines()
    )
    assert report["files"][0]["error"]
    assert report["files"][0]["findings"] > 0
    assert {"file": str(app_log), "lines": 3, "findings": 4, "error": None} == report["files"][1]


def test_jobs_give_the_same_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--jobs 2`` scans files in worker processes and reports exactly what one process does,
    in the same order."""
    for number in range(6):
        (tmp_path / f"{number}.log").write_text(APP_LOG * (number + 1), encoding="utf-8")

    _, alone = scan_json(capsys, str(tmp_path))
    _, parallel = scan_json(capsys, str(tmp_path), "--jobs", "2")

    assert len(alone["findings"]) == 4 * 21
    assert alone == parallel


# ---------------------------------------------------------------------------------- unscannable


def test_lines_past_the_limits_are_unscannable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line longer than ``max_value_length`` or with too many candidates is reported whole as
    an UNSCANNABLE finding with its reason (redact replaces such a line with the failure marker);
    it counts toward the threshold."""
    policy = write_policy(tmp_path / "p.toml", "limits = { max_value_length = 40000 }")
    addresses = " ".join(f"203.0.113.{n % 250 + 1}" for n in range(1100))  # 1,100 candidates
    log = tmp_path / "odd.log"
    log.write_text(f"ok\n{'x' * 50_000}\n{addresses}\nfrom 203.0.113.7\n", encoding="utf-8")

    status, report = scan_json(capsys, str(log), "--policy", policy)
    _, redacted, _ = run(capsys, "redact", str(log), "--policy", policy)

    assert status == 1
    assert [{k: v for k, v in f.items() if k != "file"} for f in report["findings"]] == [
        {"line": 2, "column": None, "end_column": None, "rule": "UNSCANNABLE",
         "kind": "UNSCANNABLE", "action": "fail_closed", "reason": "too_large"},
        {"line": 3, "column": None, "end_column": None, "rule": "UNSCANNABLE",
         "kind": "UNSCANNABLE", "action": "fail_closed", "reason": "too_many_candidates"},
        {"line": 4, "column": 6, "end_column": 17, "rule": "IPV4", "kind": "IPV4",
         "action": "mask"},
    ]  # fmt: skip
    assert redacted.splitlines() == ["ok", FAILED_MARKER, FAILED_MARKER, "from [IPV4]"]


# -------------------------------------------------------------------------------------- SARIF


@pytest.fixture(name="sarif_validator", scope="module")
def _sarif_validator() -> Any:
    if not SCHEMA.is_file():
        pytest.skip(f"the OASIS SARIF 2.1.0 schema is not at {SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def test_sarif_validates_and_locates_findings(
    app_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], sarif_validator: Any
) -> None:
    """The SARIF report validates against the official OASIS 2.1.0 schema; each result points
    at its rule and its region, with columns in Unicode code points."""
    policy = write_policy(tmp_path / "p.toml", "limits = { max_value_length = 100 }")
    app_log.write_text(APP_LOG + "y" * 200 + "\n", encoding="utf-8")

    status, stdout, _ = run(capsys, "scan", "--format", "sarif", "--policy", policy, str(app_log))
    sarif = json.loads(stdout)
    sarif_validator.validate(sarif)
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]

    assert (status, sarif["version"], run_["columnKind"]) == (1, "2.1.0", "unicodeCodePoints")
    assert [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"].get("startColumn"),
            r["locations"][0]["physicalLocation"]["region"].get("endColumn"),
        )
        for r in run_["results"]
    ] == [
        *((rule, line, column, end) for line, column, end, rule, _ in APP_LOCATED),
        ("UNSCANNABLE", 4, None, None),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run_["results"])
    assert {"warning"} == {r["level"] for r in run_["results"]}
    assert [
        run_["invocations"][0]["executionSuccessful"],
        run_["invocations"][0]["exitCode"],
    ] == [True, 1]


def test_sarif_with_no_findings_and_a_read_error_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sarif_validator: Any
) -> None:
    """An empty result list and a read error (as a tool notification) validate too."""
    (tmp_path / "clean.log").write_text("nothing here\n")
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b" + b"not gzip")

    status, stdout, _ = run(capsys, "scan", "--format", "sarif", str(tmp_path))
    sarif = json.loads(stdout)
    sarif_validator.validate(sarif)
    invocation = sarif["runs"][0]["invocations"][0]

    assert (status, sarif["runs"][0]["results"]) == (2, [])
    assert (
        invocation["executionSuccessful"],
        len(invocation["toolExecutionNotifications"]),
    ) == (False, 1)


# ------------------------------------------------------------------------------------ no leaks


def _generated_log(rng: random.Random) -> tuple[str, list[str]]:
    """Log lines of several formats with generated values; the log and the values."""
    values: list[str] = []
    lines: list[str] = []
    for number in range(200):
        name = rng.choice(["ana", "bo", "chen", "dara"])
        email = f"{name}.{number}{rng.randrange(10**6)}@example.org"
        address = f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        token = "ghp_" + "".join(rng.choice("ABCDEFGHabcdefgh0123456789") for _ in range(36))
        password = f"Pw{rng.randrange(10**8):08d}!x"
        values += [email, address, token, password]
        lines += [
            f"2024-05-01T10:00:{number % 60:02d}Z INFO login {email} from {address}",
            json.dumps({"event": "deploy", "token": token, "password": password, "n": number}),
            f'msg="retry" peer={address} user_email="{email}" attempt={number}',
        ]
    return "\n".join(lines) + "\n", values


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_no_scanned_value_appears_in_any_report(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reports name places, rules and actions, never values: none of the generated values, nor
    their distinctive parts, appears in stdout or stderr in any format."""
    monkeypatch.setenv("COLUMNS", "200")
    text, values = _generated_log(random.Random(20240601))
    (tmp_path / "gen.log").write_text(text, encoding="utf-8")
    (tmp_path / "gen.log.gz").write_bytes(gzip.compress(text.encode()))

    status, stdout, stderr = run(capsys, "scan", "--format", fmt, str(tmp_path))
    output = stdout + stderr
    pieces = {piece for value in values for piece in (value, value.split("@")[0], value[4:])}

    assert status == 1
    assert sorted(piece for piece in pieces if len(piece) >= 6 and piece in output) == []


def test_redactor_and_scan_agree_on_the_generated_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What scan reports is what redact removes: after ``redact``, a scan finds nothing."""
    text, _ = _generated_log(random.Random(7))
    log = tmp_path / "gen.log"
    log.write_text(text, encoding="utf-8")
    clean = tmp_path / "clean.log"

    run(capsys, "redact", str(log), "-o", str(clean))
    status, report = scan_json(capsys, str(clean))

    assert (status, report["findings"]) == (0, [])
    assert Redactor().find(clean.read_text()) == ()


# ------------------------------------------------------------------------------------- loghub


@pytest.mark.skipif(not LOGHUB.is_dir(), reason="the loghub samples are not in ../shared")
def test_loghub_openssh_and_linux(capsys: pytest.CaptureFixture[str]) -> None:
    """On the loghub samples, scan reports the IP addresses and user names of the OpenSSH and
    Linux logs. Of the Linux sample's accounts, ``test`` and ``guest`` are reported by default;
    ``root``, ``news`` and ``cyrus`` are system accounts, which only the strict preset reports."""
    status, report = scan_json(capsys, str(LOGHUB))
    kinds: dict[str, set[str]] = {}
    for finding in report["findings"]:
        kinds.setdefault(Path(finding["file"]).name, set()).add(finding["kind"])

    assert status == 1
    assert len([f for f in report["files"] if f["file"].endswith(".log")]) == 16
    assert {"IPV4", "USERNAME"} <= kinds["OpenSSH_2k.log"]
    assert {"IPV4", "USERNAME"} <= kinds["Linux_2k.log"]

    def accounts(report: dict[str, Any]) -> set[str]:
        lines = (LOGHUB / "Linux_2k.log").read_text().splitlines()
        return {
            lines[f["line"] - 1][f["column"] - 1 : f["end_column"] - 1]
            for f in report["findings"]
            if f["file"].endswith("Linux_2k.log") and f["kind"] == "USERNAME"
        }

    _, strict = scan_json(capsys, str(LOGHUB / "Linux_2k.log"), "--preset", "strict")
    assert accounts(report) == {"test", "guest"}
    assert accounts(strict) == {"test", "guest", "root", "news", "cyrus"}
