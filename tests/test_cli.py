"""
``piiredact redact`` and ``piiredact rules`` through :func:`piiredact._cli.main`, and the errors of
every command: one line, a non-zero status, never a traceback.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

import piiredact
from piiredact import BUILTIN_RULES, FAILED_MARKER, Policy, Redactor
from piiredact._cli import main
from piiredact._cli._rules import EXAMPLES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command; return its exit status, stdout and stderr."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make *data* the process's standard input."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))


def write_policy(path: Path, body: str) -> str:
    path.write_text(f"[piiredact]\n{body}\n", encoding="utf-8")
    return str(path)


TEXT_LOG = (
    b"2024-07-30T22:04:11Z INFO login ok for jane.doe@example.com from 203.0.113.7\n"
    b"2024-07-30T22:04:12Z INFO cache warm, 12 keys, took 4.2ms\n"
    b"\n"
    b"Dec 10 06:55:46 bastion sshd[2420]: Failed password for alice from 198.51.100.23\r\n"
    b"card 4111 1111 1111 1111 declined"  # the last line has no terminator
)
TEXT_REDACTED = (
    b"2024-07-30T22:04:11Z INFO login ok for [EMAIL] from [IPV4]\n"
    b"2024-07-30T22:04:12Z INFO cache warm, 12 keys, took 4.2ms\n"
    b"\n"
    b"Dec 10 06:55:46 bastion sshd[2420]: Failed password for [USERNAME] from [IPV4]\r\n"
    b"card [CREDIT_CARD] declined"
)


# ---------------------------------------------------------------------------------- redact: text


def test_redact_text_keeps_every_line_and_its_terminator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each line comes out redacted with its own terminator (LF, CRLF or none at the end);
    empty and clean lines come through unchanged."""
    log = tmp_path / "app.log"
    log.write_bytes(TEXT_LOG)
    out = tmp_path / "clean.log"

    status, stdout, stderr = run(capsys, "redact", str(log), "-o", str(out))

    assert (status, stdout, stderr) == (0, "", "")
    assert out.read_bytes() == TEXT_REDACTED


def test_redact_writes_to_stdout_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without -o, the redacted log goes to standard output."""
    log = tmp_path / "app.log"
    log.write_bytes(TEXT_LOG)

    status, stdout, _ = run(capsys, "redact", str(log))

    assert status == 0
    assert TEXT_REDACTED.decode() == stdout


def test_redact_passes_bytes_that_are_not_utf8_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Latin-1 bytes in a log survive redaction unchanged, on clean and on redacted lines."""
    log = tmp_path / "latin1.log"
    log.write_bytes(b"caf\xe9 ouvert\nclient caf\xe9 203.0.113.7\n")
    out = tmp_path / "out.log"

    run(capsys, "redact", str(log), "-o", str(out))

    assert out.read_bytes() == b"caf\xe9 ouvert\nclient caf\xe9 [IPV4]\n"


def test_redact_concatenates_several_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several inputs are redacted one after the other into one output, like ``cat``."""
    first, second = tmp_path / "1.log", tmp_path / "2.log"
    first.write_bytes(b"from 203.0.113.7\n")
    second.write_bytes(b"to jane@example.com\n")

    _, stdout, _ = run(capsys, "redact", str(first), str(second))

    assert stdout == "from [IPV4]\nto [EMAIL]\n"


# ---------------------------------------------------------------------------- redact: JSON lines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            '{"ts": "2024-07-30", "user": "jdoe", "password": 12345678, "n": 1}',
            '{"ts": "2024-07-30", "user": "[USERNAME]", "password": "[PASSWORD]", "n": 1}',
            id="spaced-key-aware",
        ),
        pytest.param(
            '{"msg":"login from 203.0.113.7","ctx":{"email":"a@example.com","ok":true}}',
            '{"msg":"login from [IPV4]","ctx":{"email":"[EMAIL]","ok":true}}',
            id="compact-nested",
        ),
        pytest.param(
            '{"zeta": 1, "alpha": {"ssn": "536-90-4399"}, "mid": [1, 2]}',
            '{"zeta": 1, "alpha": {"ssn": "[US_SSN]"}, "mid": [1, 2]}',
            id="key-order-kept",
        ),
        pytest.param(
            '{"msg":"Grüße an jane@example.com"}',
            '{"msg":"Grüße an [EMAIL]"}',
            id="raw-non-ascii-stays-raw",
        ),
        pytest.param(
            '{"msg":"Gr\\u00fc\\u00dfe an jane@example.com"}',
            '{"msg":"Gr\\u00fc\\u00dfe an [EMAIL]"}',
            id="escaped-non-ascii-stays-escaped",
        ),
        pytest.param(
            '{"visits": {"jane@example.com": 3, "/home": 1}}',
            '{"visits": {"[EMAIL]": 3, "/home": 1}}',
            id="keys-are-data-too",
        ),
        pytest.param(
            '[{"email": "a@example.com"}, "203.0.113.7"]',
            '[{"email": "[EMAIL]"}, "[IPV4]"]',
            id="array",
        ),
        pytest.param(
            '{"latency": 1.50e3, "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "x": "\\/"}',
            '{"latency": 1.50e3, "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "x": "\\/"}',
            id="clean-line-byte-for-byte",
        ),
    ],
)
def test_redact_json_lines(
    line: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON line is parsed and redacted key-aware, then written back in its own style with its
    keys in order; a clean one comes through byte for byte."""
    log = tmp_path / "app.jsonl"
    log.write_text(line + "\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert expected + "\n" == stdout


def test_json_values_are_redacted_by_key_where_text_would_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bare number under a password key is redacted in a JSON line (the key decides)."""
    log = tmp_path / "app.jsonl"
    log.write_text('{"password":123}\n', encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert json.loads(stdout) == {"password": "[PASSWORD]"}


def test_json_with_a_repeated_key_is_redacted_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON object with a key twice is redacted as text: parsed, its first value would be lost
    to the parser and never searched."""
    log = tmp_path / "dup.jsonl"
    log.write_text('{"note": "jane@example.com", "note": "ok"}\n', encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert stdout == '{"note": "[EMAIL]", "note": "ok"}\n'


@pytest.mark.parametrize(
    "line",
    [
        pytest.param('{"email": "jane@example.com", "cut": ', id="truncated"),
        pytest.param("{not json} jane@example.com", id="braces"),
        pytest.param('"jane@example.com"', id="json-string-is-text"),
        pytest.param("[INFO] jane@example.com", id="bracketed-level"),
    ],
)
def test_lines_that_are_not_json_objects_are_redacted_as_text(
    line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line that is not a JSON object or array is redacted as text, unchanged otherwise."""
    log = tmp_path / "mixed.log"
    log.write_text(line + "\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert line.replace("jane@example.com", "[EMAIL]") + "\n" == stdout


def test_json_too_deep_fails_closed_and_stays_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON line nested beyond the policy's depth keeps its shape down to the limit; what lies
    deeper becomes the failure marker, never raw."""
    nested: object = {"email": "deep@example.com"}
    for _ in range(40):
        nested = {"a": nested}
    log = tmp_path / "deep.jsonl"
    log.write_text(json.dumps(nested) + "\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert "deep@example.com" not in stdout
    assert FAILED_MARKER in json.dumps(json.loads(stdout))


# ---------------------------------------------------------------------------- redact: gzip, stdin


def test_redact_reads_gzip_transparently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gzip-compressed log is read as if it were plain (the magic number decides, not the
    name)."""
    log = tmp_path / "app.log.1"  # rotated logs are often compressed without a .gz name
    log.write_bytes(gzip.compress(TEXT_LOG))

    _, stdout, _ = run(capsys, "redact", str(log))

    assert TEXT_REDACTED.decode() == stdout


def test_redact_writes_gzip_when_the_output_ends_in_gz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o out.log.gz`` writes a gzip file."""
    log = tmp_path / "app.log.gz"
    log.write_bytes(gzip.compress(TEXT_LOG))
    out = tmp_path / "clean.log.gz"

    run(capsys, "redact", str(log), "-o", str(out))

    assert gzip.decompress(out.read_bytes()) == TEXT_REDACTED


@pytest.mark.parametrize("args", [pytest.param((), id="no-file"), pytest.param(("-",), id="dash")])
def test_redact_reads_stdin(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without files, or with ``-``, the filter reads standard input, gzip or not."""
    feed_stdin(monkeypatch, gzip.compress(TEXT_LOG))

    _, stdout, _ = run(capsys, "redact", *args)

    assert TEXT_REDACTED.decode() == stdout


# ------------------------------------------------------------------------ redact: policy, limits


def test_redact_applies_the_policy_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--policy`` loads a TOML policy: here network addresses are generalized and e-mail
    addresses left alone."""
    policy = write_policy(
        tmp_path / "p.toml", 'disabled = ["EMAIL"]\nactions = { network = "generalize" }'
    )
    log = tmp_path / "app.log"
    log.write_text("jane@example.com from 203.0.113.7\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", "--policy", policy, str(log))

    assert stdout == "jane@example.com from 203.0.113.0/24\n"


def test_redact_preset_overrides_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--preset secrets`` keeps only the credential rules."""
    log = tmp_path / "app.log"
    log.write_text("jane@example.com key AKIAIOSFODNN7EXAMPLE\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", "--preset", "secrets", str(log))

    assert stdout == "jane@example.com key [AWS_ACCESS_KEY]\n"


def test_redact_reads_the_policy_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ``--policy``, the ``PIIREDACT_*`` variables configure the policy."""
    monkeypatch.setenv("PIIREDACT_ACTIONS", "EMAIL=drop")
    log = tmp_path / "app.log"
    log.write_text("to jane@example.com.\n", encoding="utf-8")

    _, stdout, _ = run(capsys, "redact", str(log))

    assert stdout == "to .\n"


def test_over_long_line_fails_closed_and_the_next_line_is_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line over the policy's length limit becomes the failure marker whole, even when it is
    not kept in memory (four bytes per allowed character and more); the stream goes on."""
    policy = write_policy(tmp_path / "p.toml", "limits = { max_value_length = 100 }")
    log = tmp_path / "app.log"
    secret = "jane@example.com "
    log.write_text(
        f"{secret * 10}\n{'x' * 150}\n{secret * 50}\r\nnext 203.0.113.7\n", encoding="utf-8"
    )

    _, stdout, _ = run(capsys, "redact", "--policy", policy, str(log))

    assert f"{FAILED_MARKER}\n{FAILED_MARKER}\n{FAILED_MARKER}\r\nnext [IPV4]\n" == stdout


# -------------------------------------------------------------------------------------- rules


def test_every_builtin_rule_has_an_example_that_it_finds() -> None:
    """The catalog's examples stay in step with the rules: each is found by its own rule."""
    redactor = Redactor(Policy(preset="strict"))

    missed = [
        name
        for name, (_, example) in EXAMPLES.items()
        if name not in {f.rule for f in redactor.find(example)}
    ]

    assert missed == []
    assert {rule.name for rule in BUILTIN_RULES} == set(EXAMPLES)


def test_rules_json_lists_the_policy_rules_with_examples_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``rules --format json`` lists every rule of the policy, each with its action, validator
    and example redacted by the policy."""
    _, stdout, _ = run(capsys, "rules", "--format", "json")
    rows = {row["rule"]: row for row in json.loads(stdout)}

    assert [rule.name for rule in Policy().rules()] == list(rows)
    assert rows["CREDIT_CARD"] == {
        "rule": "CREDIT_CARD",
        "kind": "CREDIT_CARD",
        "category": "financial",
        "action": "mask",
        "validator": "Luhn, issuer prefix and length",
        "description": "Payment card number (Luhn, issuer prefix and length checked)",
        "example": "charging card 4111 1111 1111 1111",
        "redacted": "charging card [CREDIT_CARD]",
    }
    assert all(row["example"] != row["redacted"] for row in rows.values())


def test_rules_follow_the_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The listing shows the policy's actions and its custom rules, and only its rules."""
    policy = write_policy(
        tmp_path / "p.toml",
        'preset = "secrets"\nactions = { GITHUB_TOKEN = "drop" }\n'
        "[[piiredact.rules]]\n"
        'name = "EMPLOYEE_ID"\ncategory = "credential"\npattern = \'EMP-\\d{6}\'',
    )

    _, stdout, _ = run(capsys, "rules", "--format", "json", "--policy", policy)
    rows = {row["rule"]: row for row in json.loads(stdout)}

    assert {"credential"} == {row["category"] for row in rows.values()}
    assert rows["GITHUB_TOKEN"]["action"] == "drop"
    assert rows["GITHUB_TOKEN"]["redacted"] == "GITHUB_TOKEN="
    assert (rows["EMPLOYEE_ID"]["example"], rows["EMPLOYEE_ID"]["redacted"]) == ("", "")


def test_rules_table_shows_redacted_examples_verbatim(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table prints masks such as ``[EMAIL]`` as they are (not read as rich markup)."""
    monkeypatch.setenv("COLUMNS", "250")

    status, stdout, _ = run(capsys, "rules")

    assert status == 0
    assert "[EMAIL]" in stdout
    assert "jane.doe+news@example.com" in stdout  # the example input, synthetic
    assert "Luhn, issuer prefix and length" in stdout


# ------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("redact", "missing.log"), "'missing.log': no such file", id="missing-file"),
        pytest.param(("redact", "."), "'.' is a directory", id="directory"),
        pytest.param(("redact", "--policy", "nope.toml"), "policy file 'nope.toml'", id="policy"),
        pytest.param(("redact", "--preset", "loose"), "invalid choice: 'loose'", id="preset"),
        pytest.param(("scan",), "the following arguments are required: PATH", id="no-path"),
        pytest.param(("scan", ".", "--jobs", "0"), "at least 1, not '0'", id="jobs"),
        pytest.param(("scan", ".", "--max-findings", "x"), "not 'x'", id="max-findings"),
        pytest.param(("scan", "nowhere"), "'nowhere': no such file", id="scan-missing"),
        pytest.param(("scan", ".", "--fail-on", "EMAIL,FOO"), "FOO is not a rule", id="fail-on"),
        pytest.param(("scan", "-", "--jobs", "2"), "cannot read standard input", id="jobs-stdin"),
        pytest.param(("frobnicate",), "invalid choice: 'frobnicate'", id="command"),
        pytest.param((), "the following arguments are required: COMMAND", id="no-command"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    args: tuple[str, ...],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad option, a missing file or an unreadable policy is one line on stderr, status 2."""
    monkeypatch.chdir(tmp_path)

    status, stdout, stderr = run(capsys, *args)

    assert (status, stdout) == (2, "")
    assert len(stderr.splitlines()) == 1, stderr
    assert message in stderr
    assert stderr.startswith("piiredact")


def test_invalid_policy_setting_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy with an invalid setting is refused in one line that names the setting."""
    policy = write_policy(tmp_path / "p.toml", 'actions = { EMAIL = "scramble" }')

    status, _, stderr = run(capsys, "scan", str(tmp_path), "--policy", policy)

    assert status == 2
    assert "actions.EMAIL: 'scramble' is not one of" in stderr
    assert len(stderr.splitlines()) == 1


def test_corrupt_gzip_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A gzip file cut short is reported in one line naming it, status 2."""
    log = tmp_path / "cut.log.gz"
    log.write_bytes(gzip.compress(TEXT_LOG * 50)[:-40])

    status, _, stderr = run(capsys, "redact", str(log))

    assert status == 2
    assert f"piiredact redact: error: cannot read '{log}'" in stderr
    assert len(stderr.splitlines()) == 1


def test_output_that_is_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` naming one of the inputs would truncate it before it is read: refused."""
    log = tmp_path / "app.log"
    log.write_bytes(TEXT_LOG)

    status, _, stderr = run(capsys, "redact", str(log), "-o", str(log))

    assert status == 2
    assert "is also an input" in stderr
    assert log.read_bytes() == TEXT_LOG


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the package version."""
    status, stdout, _ = run(capsys, "--version")

    assert (0, f"piiredact {piiredact.__version__}\n") == (status, stdout)
