"""
``piiredact aggregate`` through :func:`piiredact._cli.main`, on a generated feedback file: the
table, JSON and CSV outputs, the budget ledger across runs, and the refusals (no budget, no
bounds, no unit, an exhausted ledger) that print nothing but one line on stderr.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest


pytest.importorskip(
    "opendp", reason="the dp extra is not installed (pip install 'piiredact[dp]'; make test does)"
)

from piiredact._cli import main


COUNTRIES = ("DE", "FR", "US", "BR")
LONELY = "tok_lonely"


def feedback(seed: int = 7, users: int = 400) -> list[dict[str, Any]]:
    """Feedback events as our own redaction would leave them: a tokenized user id, a country,
    an age, a 1-5 rating, a timestamp; 1 to 4 events per user, and one user alone in Iceland."""
    rng = random.Random(seed)
    events = []
    for user in range(users):
        country, age = COUNTRIES[user % 4], rng.randint(18, 80)
        for _ in range(rng.randint(1, 4)):
            events.append(
                {
                    "user": f"tok_{user:04d}",
                    "country": country,
                    "age": age,
                    "rating": rng.randint(1, 5),
                    "ts": f"2024-03-{rng.randint(4, 17):02d}T12:00:00Z",
                    "latency_ms": rng.randint(20, 900),
                    "message": "[EMAIL] says the checkout is slow",
                }
            )
    events.append({"user": LONELY, "country": "IS", "age": 44, "rating": 1, "ts": "2024-03-05"})
    return events


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return feedback()


@pytest.fixture
def feedback_file(tmp_path: Path, events: list[dict[str, Any]]) -> str:
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``piiredact aggregate ARGS``; return the exit status, stdout and stderr."""
    status = main(["aggregate", *args])
    out, err = capsys.readouterr()
    return status, out, err


def users_per(events: list[dict[str, Any]], field: str) -> Counter[str]:
    return Counter(str(v) for v in {e["user"]: e[field] for e in events}.values())


# ------------------------------------------------------------------------------------- output


def test_table_of_noisy_counts_and_the_budget_spent(
    feedback_file: str, events: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """A count by country prints one row per country found (near-exact at a large ε), never
    the country of one user, then the cost and the budget spent."""
    status, out, err = run(
        capsys, feedback_file, "--unit", "user", "--by", "country", "--count",
        "--epsilon", "50", "--delta", "1e-6",
    )  # fmt: skip

    assert (status, err) == (0, "")
    rows = {
        cells[0].strip(): int(cells[1])
        for line in out.splitlines()
        if len(cells := line.strip("│ ").split("│")) == 2 and cells[1].strip().isdigit()
    }
    assert rows == {c: n for c, n in users_per(events, "country").items() if c != "IS"}
    assert "IS" not in out
    assert "groups found in the data, released at a noisy count of" in out
    assert re.search(r"\nbudget spent: epsilon 50 of 50, delta [0-9.e-]+ of 1e-06\n$", out)


def test_json_carries_the_release_and_the_budget(
    feedback_file: str, events: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json: every row, ε, δ, bounds and mechanisms of the release, and the ledger.
    A mean by ISO week with a large ε is near the true mean of each user's first rating."""
    status, out, _ = run(
        capsys, feedback_file, "--unit", "user", "--by", "ts:week", "--mean", "rating",
        "--bounds", "1,5", "--epsilon", "100", "--delta", "1e-6", "--format", "json",
    )  # fmt: skip
    data = json.loads(out)

    release = data["release"]
    assert status == 0
    assert (release["statistic"], release["field"], release["bounds"]) == ("mean", "rating", [1, 5])
    assert release["by"] == ["ts"]
    assert release["epsilon"] == pytest.approx(100)
    assert [m["mechanism"] for m in release["mechanisms"]] == ["laplace_threshold", "laplace"]
    first: dict[str, dict[str, Any]] = {}
    for event in events:
        first.setdefault(event["user"], event)
    weeks = {"2024-W10": [], "2024-W11": []}  # type: dict[str, list[int]]
    for event in first.values():
        day = int(event["ts"][8:10])  # the lonely user's day 5 is in week 10 too
        weeks["2024-W10" if day <= 10 else "2024-W11"].append(event["rating"])
    assert [row["ts"] for row in release["rows"]] == ["2024-W10", "2024-W11"]
    for row in release["rows"]:
        ratings = weeks[row["ts"]]
        assert row["count"] == len(ratings)
        assert row["mean"] == pytest.approx(sum(ratings) / len(ratings), abs=0.01)
    assert data["budget"]["charges"] == [
        {"label": "mean of rating by ts", "epsilon": 100.0, "delta": release["delta"]}
    ]


def test_csv_histogram_of_declared_groups(
    feedback_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format csv writes only the table (the cost goes to stderr); with every grouping field
    declared (--keys), every combination is a row, in declared order, without any δ."""
    status, out, err = run(
        capsys, feedback_file, "--unit", "user", "--histogram", "rating", "--by", "country",
        "--keys", "country=DE,FR,XX", "--keys", "rating=1,2,3,4,5", "--epsilon", "1",
        "--format", "csv",
    )  # fmt: skip

    table = list(csv.reader(io.StringIO(out)))
    assert status == 0
    assert table[0] == ["country", "rating", "count"]
    assert [row[:2] for row in table[1:]] == [
        [country, rating] for country in ("DE", "FR", "XX") for rating in "12345"
    ]
    assert all(row[2].lstrip("-").isdigit() for row in table[1:])
    assert "every declared group released" in err
    assert "budget spent: epsilon 1 of 1, delta 0 of 0" in err


def test_histogram_bins_and_gzip_input(
    tmp_path: Path, events: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Bins make the groups of a histogram; gzip input is read as it is."""
    path = tmp_path / "feedback.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in events).encode()))

    status, out, _ = run(
        capsys, str(path), "--unit", "user", "--histogram", "age", "--bins", "18,40,65,81",
        "--epsilon", "100", "--format", "json",
    )  # fmt: skip

    ages = Counter(
        "[18, 40)" if age < 40 else "[40, 65)" if age < 65 else "[65, 81)"
        for age in {e["user"]: e["age"] for e in events}.values()
    )
    assert status == 0
    assert {r["age"]: r["count"] for r in json.loads(out)["release"]["rows"]} == ages


# ---------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "user", "--count"], "no privacy budget: give --epsilon E"),
        (["--unit", "user", "--mean", "rating", "--epsilon", "1"], "--mean needs --bounds LO,HI"),
        (["--unit", "user", "--sum", "rating", "--epsilon", "1"], "--sum needs --bounds LO,HI"),
        (["--count", "--epsilon", "1"], "no privacy unit: give --unit FIELD"),
        (["--unit", "user", "--epsilon", "1"], "what to release?"),
        (
            ["--unit", "user", "--count", "--by", "country", "--epsilon", "1"],
            "needs a delta above 0",
        ),
        (["--unit", "user", "--count", "--epsilon", "-1"], "epsilon must be"),
        (["--unit", "user", "--count", "--epsilon", "1", "--bins", "1,2"], "--bins goes with"),
        (["--unit", "user", "--sum", "r", "--bounds", "5", "--epsilon", "1"], "expected LO,HI"),
        (["--unit", "user", "--count", "--keys", "country", "--epsilon", "1"], "FIELD=V1"),
        (
            ["--unit", "user", "--count", "--by", "ts:fortnight", "--epsilon", "1"],
            "unknown generalizer",
        ),
    ],
)
def test_refusals_print_one_line_and_nothing_else(
    feedback_file: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """A missing budget, bounds, unit or statistic, or an invalid option, is refused with exit
    status 2, one line on stderr that says what to give, and no output."""
    status, out, err = run(capsys, feedback_file, *args)

    assert (status, out) == (2, "")
    assert err.startswith("piiredact aggregate: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_the_ledger_carries_the_budget_across_runs(
    feedback_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger created with --total-epsilon is charged by each run; the run that would pass
    the total is refused, prints nothing, and leaves the ledger byte for byte as it was."""
    ledger = tmp_path / "ledger.json"
    count = [feedback_file, "--unit", "user", "--count", "--ledger", str(ledger)]

    first = run(capsys, *count, "--epsilon", "0.6", "--total-epsilon", "1")
    before = ledger.read_bytes()
    refused = run(capsys, *count, "--epsilon", "0.6")
    last = run(capsys, *count, "--epsilon", "0.4", "--format", "json")

    assert first[0] == 0
    assert "budget spent: epsilon 0.6 of 1, delta 0 of 0" in first[1]
    assert refused == (
        2,
        "",
        "piiredact aggregate: error: privacy budget exhausted: this release needs "
        "epsilon=0.6, delta=0, but only epsilon=0.4, delta=0 remain; nothing was released\n",
    )
    assert json.loads(before)["charges"] == [{"label": "count", "epsilon": 0.6, "delta": 0.0}]
    assert last[0] == 0
    assert json.loads(last[1])["budget"] == json.loads(ledger.read_text())
    assert [c["epsilon"] for c in json.loads(ledger.read_text())["charges"]] == [0.6, 0.4]


def test_concurrent_runs_share_one_ledger(feedback_file: str, tmp_path: Path) -> None:
    """Four processes at once against a ledger with room for two more releases: two release,
    two are refused, and the ledger records exactly three (the first run's and the two)."""
    ledger = tmp_path / "ledger.json"
    command = [
        sys.executable, "-m", "piiredact", "aggregate", feedback_file, "--unit", "user",
        "--count", "--epsilon", "0.5", "--ledger", str(ledger),
    ]  # fmt: skip
    first = subprocess.run([*command, "--total-epsilon", "1.5"], capture_output=True, check=False)
    assert first.returncode == 0

    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)
    ]
    for process in processes:
        process.communicate(timeout=60)

    assert sorted(process.returncode for process in processes) == [0, 0, 2, 2]
    assert [c["epsilon"] for c in json.loads(ledger.read_text())["charges"]] == [0.5] * 3


def test_a_ledger_needs_its_totals_once_and_keeps_them(
    feedback_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new ledger without --total-epsilon is refused and not created; an existing ledger
    refuses totals other than its own, and a file that is no ledger is refused."""
    ledger = tmp_path / "ledger.json"
    count = [feedback_file, "--unit", "user", "--count", "--epsilon", "0.1"]

    new = run(capsys, *count, "--ledger", str(ledger))
    assert new[0] == 2
    assert "is new: give its total budget with --total-epsilon" in new[2]
    assert not ledger.exists()

    assert run(capsys, *count, "--ledger", str(ledger), "--total-epsilon", "1")[0] == 0
    other = run(capsys, *count, "--ledger", str(ledger), "--total-epsilon", "2")
    assert other[0] == 2
    assert "has a total epsilon of 1, not 2" in other[2]

    ledger.write_text("[1, 2]", encoding="utf-8")
    assert "is not a privacy-budget ledger" in run(capsys, *count, "--ledger", str(ledger))[2]
    orphan = run(capsys, *count, "--total-epsilon", "1")
    assert "set a --ledger's totals" in orphan[2]


def test_a_line_that_is_not_json_is_named_not_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Input that is not JSON lines is refused with the line number, never the line."""
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"user": "a"}\n\nlogin by alice@example.com\n', encoding="utf-8")

    status, out, err = run(capsys, str(path), "--unit", "user", "--count", "--epsilon", "1")

    assert (status, out) == (2, "")
    assert "mixed.jsonl:3: not a JSON object" in err
    assert "alice" not in err


def test_help_lists_aggregate(capsys: pytest.CaptureFixture[str]) -> None:
    """The command is registered next to redact and scan."""
    assert main(["--help"]) == 0
    assert "aggregate" in capsys.readouterr().out


def test_without_the_extra_the_command_says_what_to_install(feedback_file: str) -> None:
    """Without OpenDP, aggregate exits with status 2 and names the extra."""
    probe = (
        "import sys; sys.modules['opendp'] = None\n"
        "from piiredact._cli import main\n"
        f"sys.exit(main(['aggregate', {feedback_file!r}, '--unit', 'user', '--count', "
        "'--epsilon', '1']))"
    )

    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], check=False, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "pip install 'piiredact[dp]'" in result.stderr


# ------------------------------------------------------------------------------------- README


def readme_section() -> str:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Differential privacy\n", 1)[1].split("\n## ", 1)[0]


def test_readme_worked_example(
    feedback_file: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's command runs on a feedback file like its example and prints a table of
    the same shape, without the lonely user."""
    command = next(
        line for line in readme_section().splitlines() if line.startswith("$ piiredact aggregate")
    )
    monkeypatch.chdir(Path(feedback_file).parent)

    status, out, _ = run(capsys, *command.split()[3:])

    assert status == 0
    assert "┃ country ┃ count ┃ sum ┃ mean ┃" in out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("│")] == [
        "BR", "DE", "FR", "US",
    ]  # fmt: skip
    assert "budget spent: epsilon 1 of 1, delta 8.53366e-07 of 1e-06" in out


def test_readme_python_example(feedback_file: str) -> None:
    """The README's Python example runs as it is, next to a feedback file."""
    (code,) = re.findall(r"```python\n(.*?)```", readme_section(), flags=re.DOTALL)

    result = subprocess.run(
        [sys.executable, "-c", code + "\nprint(budget.spent, release.columns)"],
        cwd=Path(feedback_file).parent,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    spent = "(2.0, 8.533662760878968e-07)"
    assert result.stdout == f"{spent} ('country', 'ts', 'count', 'sum', 'mean')\n"
