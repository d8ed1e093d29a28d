"""
Properties of redaction that hold for any input: nothing generated leaks, a second pass changes
nothing, arbitrary text never breaks it, clean text is passed through as the same object, and
findings are offsets into the text.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import (
    any_text,
    aws_access_keys,
    clean_text,
    dense_text,
    emails,
    formatted_cards,
    github_tokens,
    lines_with_secrets,
    public_ipv4,
    values_in_number_runs,
)

import piiredact
from piiredact.policy import PRESETS


_KEY = "property-tests-key-0123456789abcdef"
_CATEGORIES = ("contact", "network", "financial", "government_id", "credential", "location",
               "personal")  # fmt: skip

REDACTORS = {
    "mask": piiredact.Redactor(),
    "token": piiredact.Redactor(
        piiredact.Policy(actions=dict.fromkeys(_CATEGORIES, "token"), token_key=_KEY)
    ),
    "partial": piiredact.Redactor(piiredact.Policy(actions=dict.fromkeys(_CATEGORIES, "partial"))),
    "generalize": piiredact.Redactor(
        piiredact.Policy(actions={"network": "generalize", "location": "generalize"})
    ),
    "drop": piiredact.Redactor(piiredact.Policy(actions=dict.fromkeys(_CATEGORIES, "drop"))),
}
_ACTIONS = pytest.mark.parametrize("action", sorted(REDACTORS))

_FEW = settings(max_examples=60, deadline=None)
_SOME = settings(max_examples=150, deadline=None)
# The four properties a redaction layer is trusted for (no leak, idempotence, never raises,
# determinism) get 500 examples each, in CI too.
_MANY = settings(max_examples=500, deadline=None)


# ------------------------------------------------------------------------------ no leaks


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(emails, id="email"),
        pytest.param(formatted_cards(), id="card"),
        pytest.param(public_ipv4, id="public-ipv4"),
        pytest.param(aws_access_keys, id="aws-access-key"),
        pytest.param(github_tokens, id="github-token"),
    ],
)
@_SOME
@given(data=st.data())
def test_generated_value_alone_is_redacted(
    values: st.SearchStrategy[str], data: st.DataObject
) -> None:
    """A generated value between spaces never survives redaction."""
    value = data.draw(values)

    assert value not in piiredact.redact(f"value {value} end")


# Shapes found by earlier runs, replayed on every run.
_KNOWN_LINES = (
    ("mail sent to jane.doe@example.org. next", [("EMAIL", "jane.doe@example.org")]),
    (
        "ip=198.51.100.23, card 4111-1111-1111-1111;",
        [("IPV4", "198.51.100.23"), ("CREDIT_CARD", "4111-1111-1111-1111")],
    ),
)


@_SOME
@given(lines_with_secrets())
@example(_KNOWN_LINES[0])
@example(_KNOWN_LINES[1])
def test_no_generated_value_leaks_from_a_log_line(case: tuple[str, list[tuple[str, str]]]) -> None:
    """Values embedded in random log lines (any separators) never survive redaction."""
    line, found = case

    redacted = piiredact.redact(line)

    assert [value for _, value in found if value in redacted] == []


@_SOME
@given(lines_with_secrets())
@example(_KNOWN_LINES[0])
@example(_KNOWN_LINES[1])
def test_generated_values_are_reported_with_their_kind(
    case: tuple[str, list[tuple[str, str]]],
) -> None:
    """``find`` reports each embedded value, with its kind, at its offsets."""
    line, found = case

    findings = piiredact.default_redactor().find(line)

    reported = {(f.kind, line[f.start : f.end]) for f in findings}
    assert [pair for pair in found if pair not in reported] == []


# ------------------------------------------------------------------------------ idempotence


# Runs found by earlier runs: an id in a run of spaced numbers stands alone once its neighbour
# is replaced, each replacement may free the next phone number of a list, a phone number that
# ran into an address's first octet stands alone once the address is masked, a dashed number is
# a number too, and the cue of a value freed by a replacement may stand far before it.
_KNOWN_RUNS = (
    "2393 0197 0273 5548 0827 1692 2436 1.0.0.0 2000 0000 0009",
    "from 10.0.0.123 2345 6789 0124 ok",
    "call 0221 1234567 0221 1234568 0221 1234569 0221 1234560",
    "+44 20 7946 0958 1.0.0.0",
    "8875 2617 6367-tel:55552567724044856985 6985-8587 0617 5067 ",
    "GB03 MQTD 2951 7266 7583 97 phone8996 6480 3523-299DE15 3338 2248 9393 8372 95:4988 2422 "
    "0455 5987, 373-29-9345",
)


@_ACTIONS
@_MANY
@given(
    text=st.one_of(
        lines_with_secrets().map(lambda case: case[0]), values_in_number_runs, dense_text
    )
)
@example(text=_KNOWN_RUNS[0])
@example(text=_KNOWN_RUNS[1])
@example(text=_KNOWN_RUNS[2])
@example(text=_KNOWN_RUNS[3])
@example(text=_KNOWN_RUNS[4])
@example(text=_KNOWN_RUNS[5])
def test_redaction_is_idempotent(action: str, text: str) -> None:
    """Redacting a redacted text changes nothing, whatever the action."""
    redactor = REDACTORS[action]
    once = redactor.redact(text)

    assert once == redactor.redact(once)


@_ACTIONS
@_FEW
@given(
    text=st.one_of(
        lines_with_secrets().map(lambda case: case[0]), values_in_number_runs, dense_text
    )
)
@example(text=_KNOWN_RUNS[0])
def test_second_pass_finds_nothing(action: str, text: str) -> None:
    """A redacted text holds no finding: replacements never look like personal data."""
    redactor = REDACTORS[action]

    assert redactor.find(redactor.redact(text)) == ()


# ------------------------------------------------------------------------------ robustness


@_MANY
@given(any_text)
def test_arbitrary_text_never_raises(text: str) -> None:
    """Any text, lone surrogates and control characters included, gives a string back."""
    redacted = piiredact.redact(text)

    assert isinstance(redacted, str)


_ERRORS = piiredact.Redactor()


def _error_counts() -> dict[str, int]:
    return {name: n for name, n in _ERRORS.stats.items() if name.startswith("error:")}


@_SOME
@given(st.one_of(any_text, dense_text))
def test_short_text_never_fails_closed(text: str) -> None:
    """Short text is always scanned: the failure marker means an internal error."""
    before = _error_counts()

    redacted = _ERRORS.redact(text)

    assert redacted != piiredact.FAILED_MARKER
    assert _error_counts() == before


_TWIN = piiredact.Redactor(
    piiredact.Policy(actions=dict.fromkeys(_CATEGORIES, "token"), token_key=_KEY)
)


@_MANY
@given(text=st.one_of(lines_with_secrets().map(lambda case: case[0]), dense_text, any_text))
def test_redaction_is_deterministic(text: str) -> None:
    """The same text gives the same output: again, and from another engine with the same policy
    and key (tokens join across services)."""
    first = REDACTORS["token"].redact(text)

    assert REDACTORS["token"].redact(text) == first
    assert _TWIN.redact(text) == first


@_SOME
@given(clean_text)
def test_clean_text_is_returned_as_is(text: str) -> None:
    """Text with no digit, '@', ':' or trigger word comes back as the very same object."""
    assert piiredact.redact(text) is text


# ------------------------------------------------------------------------------ findings


@_SOME
@given(st.one_of(lines_with_secrets().map(lambda case: case[0]), dense_text, any_text))
def test_findings_are_ordered_disjoint_slices(text: str) -> None:
    """Findings are non-empty, in order, do not overlap, and lie inside the text."""
    findings = piiredact.default_redactor().find(text)

    position = 0
    for finding in findings:
        assert position <= finding.start < finding.end <= len(text)
        position = finding.end


@_SOME
@given(st.one_of(lines_with_secrets().map(lambda case: case[0]), dense_text))
def test_masking_replaces_exactly_the_findings(text: str) -> None:
    """The masked text is the text with each finding's slice replaced by ``[KIND]``."""
    findings = piiredact.default_redactor().find(text)
    expected, position = [], 0
    for finding in findings:
        expected += [text[position : finding.start], f"[{finding.kind}]"]
        position = finding.end
    expected.append(text[position:])

    assert "".join(expected) == piiredact.redact(text)


# ----------------------------------------------------------------------- machine values

_MACHINE_VALUES = st.one_of(
    st.text("0123456789abcdef", min_size=16, max_size=128).filter(lambda text: not text.isdigit()),
    st.uuids().map(str),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="microseconds") + "Z"),
    st.datetimes().map(lambda moment: moment.isoformat(sep=" ", timespec="milliseconds")),
)

_BY_PRESET = {preset: piiredact.Redactor(piiredact.Policy(preset=preset)) for preset in PRESETS}


@pytest.mark.parametrize("preset", sorted(PRESETS))
@_SOME
@given(value=_MACHINE_VALUES)
def test_no_rule_finds_anything_in_a_machine_value(preset: str, value: str) -> None:
    """Timestamps, UUIDs and lower-case hex ids hold nothing any built-in rule finds: what lets
    structured values of that shape skip the scan under keys no rule reads."""
    redactor = _BY_PRESET[preset]

    assert redactor.find(value) == ()
    assert redactor.keeps(value, "request_id")
    assert redactor.redact_value({"request_id": value}) == {"request_id": value}
