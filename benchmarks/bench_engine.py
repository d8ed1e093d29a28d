#!/usr/bin/env python3
"""
Engine benchmark: piiredact against a naive multi-``re.sub`` redactor, measured in one run.

Shared machines are noisy, so every number that matters is a *ratio* to a baseline timed in the same
run, interleaved with it; absolute numbers (µs per line, MB/s) are printed too. See
``benchmarks/README.md`` for what each row means.

Run ``python benchmarks/bench_engine.py`` (or ``make bench``); ``--quick`` for a fast pass,
``--strict`` to exit non-zero when a target is missed, ``--loghub DIR`` to point at the log corpus.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import gc
import ipaddress
import itertools
import json
import platform
import random
import re
import signal
import statistics
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import piiredact
from piiredact import BUILTIN_RULES, FAILED_MARKER, Limits, Policy, Redactor, Rule
from piiredact.policy import PRESETS


SEED = 20_240_601
LINE_COUNT = 32_000
DEFAULT_LOGHUB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "loghub"

CLEAN_TARGET = 1 / 8  # piiredact / naive on lines with nothing to redact
INJECTED_TARGET = 1 / 4  # piiredact / naive on lines with one PII value each
LINEARITY_TARGET = 1.5  # per-byte cost of 1 MB / per-byte cost of 200-byte lines
PUMP_LIMIT = 0.050  # seconds for one 100 KB adversarial input

MEGABYTE = 1_000_000
SHORT_LINE = 200
PUMP_LENGTH = 100_000
PUMP_RECHECK = 0.005  # a pump slower than this is re-timed and its best time kept
PUMP_ABORT = 5.0  # a pump still running after this many seconds is interrupted


# ------------------------------------------------------------------------------------ workload


def load_loghub(directory: Path) -> list[str] | None:
    """The non-empty lines of every ``*.log`` file in *directory*, or None when there are none."""
    files = sorted(directory.glob("*.log")) if directory.is_dir() else []
    if not files:
        return None
    lines: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines.extend(line for line in text.splitlines() if line.strip())
    return lines or None


_HOSTS = ("web-01", "web-02", "db-primary", "node-17", "edge-3", "batch-9", "ingest-4")
_SERVICES = ("sshd", "kernel", "systemd", "CRON", "dockerd", "kubelet", "postfix/smtpd", "nginx")
_LEVELS = ("INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR")
_LOGGERS = ("api.handler", "db.pool", "cache.redis", "auth.session", "worker.queue", "http.client")
_PATHS = (
    "/var/log/app/{n}.log", "/api/v2/orders/{n}", "/static/js/app.{hex8}.js", "/healthz",
    "/srv/data/shard-{port}/part-{n}.parquet", "/api/v1/users/{uuid}/settings",
    "/etc/nginx/conf.d/default.conf", "/var/spool/upload-{hex8}.part",
)  # fmt: skip
_SYSLOG_MESSAGES = (
    "Accepted publickey from {ip} port {port} ssh2",
    "Connection closed by {ip} port {port} [preauth]",
    "Started Session {n} of {hex8}.",
    "container {hex12} exited with code {code} after {ms}ms",
    "pod {uuid} volume mounted at {path}",
    "oom-killer: killed process {pid} ({service}) total-vm:{n}kB",
    "TCP: request_sock_TCP: Possible SYN flooding on port {port}. Sending cookies.",
    "device eth0 entered promiscuous mode; txqueuelen {code}",
    "reloading configuration from {path} (checksum {hex12})",
)
_APP_MESSAGES = (
    "request completed", "cache miss for key order:{n}", "retrying upstream call attempt={code}",
    "connection pool exhausted, waiting {ms}ms", "job {uuid} finished in {ms}ms",
    "slow query took {ms}ms rows={n}", "scheduled task {hex8} skipped", "upstream returned {code}",
)  # fmt: skip
_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "kube-probe/1.29",
)
_METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
_STATUSES = (200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503)


def _fields(rng: random.Random) -> dict[str, object]:
    """Random values for the placeholders of the synthetic line templates."""
    fields: dict[str, object] = {
        "ip": _private_ip(rng),
        "port": rng.randint(1024, 65535),
        "pid": rng.randint(100, 65535),
        "n": rng.randint(0, 10 ** rng.randint(1, 9)),
        "code": rng.choice((0, 1, 2, 3, 137, 143, 255, 404, 500, 1000)),
        "ms": rng.randint(1, 30_000),
        "hex8": f"{rng.getrandbits(32):08x}",
        "hex12": f"{rng.getrandbits(48):012x}",
        "uuid": _uuid(rng),
        "service": rng.choice(_SERVICES),
    }
    fields["path"] = rng.choice(_PATHS).format(**fields)
    return fields


def _private_ip(rng: random.Random) -> str:
    """An RFC 1918 or documentation address, as machine logs are full of."""
    network = rng.choice(("10.{}.{}", "172.{}.{}", "192.168.{}", "203.0.113"))
    second = rng.randint(16, 31) if network.startswith("172") else rng.randint(0, 255)
    head = network.format(second, rng.randint(0, 255))
    return f"{head}.{rng.randint(1, 254)}"


def _uuid(rng: random.Random) -> str:
    """A version-4-looking UUID from *rng*."""
    raw = f"{rng.getrandbits(128):032x}"
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"


def _syslog_line(rng: random.Random, when: dt.datetime) -> str:
    fields = _fields(rng)
    message = rng.choice(_SYSLOG_MESSAGES).format(**fields)
    process = f"{fields['service']}[{fields['pid']}]"
    return f"{when:%b %d %H:%M:%S} {rng.choice(_HOSTS)} {process}: {message}"


def _hdfs_line(rng: random.Random, when: dt.datetime) -> str:
    fields = _fields(rng)
    block = rng.getrandbits(63) * rng.choice((1, -1))
    template = rng.choice(
        (
            "INFO dfs.DataNode$PacketResponder: Received block blk_{b} of size {s} from /{ip}",
            "INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated: "
            "{ip}:50010 is added to blk_{b} size {s}",
            "INFO dfs.DataNode$PacketResponder: PacketResponder {r} for block blk_{b} terminating",
            "WARN dfs.DataNode$DataXceiver: {ip}:50010:Got exception while serving blk_{b} "
            "to /{ip}:",
        )
    )
    message = template.format(
        b=block, s=rng.choice((67108864, 3545, 91178)), r=rng.randint(0, 2), ip=fields["ip"]
    )
    return f"{when:%y%m%d %H%M%S} {rng.randint(1, 600)} {message}"


def _json_line(rng: random.Random, when: dt.datetime) -> str:
    fields = _fields(rng)
    record = {
        "ts": when.isoformat(timespec="milliseconds"),
        "level": rng.choice(_LEVELS).lower(),
        "logger": rng.choice(_LOGGERS),
        "msg": rng.choice(_APP_MESSAGES).format(**fields),
        "request_id": fields["uuid"],
        "trace_id": f"{rng.getrandbits(128):032x}",
        "duration_ms": round(rng.random() * 900, 3),
        "path": fields["path"],
        "pid": fields["pid"],
    }
    return json.dumps(record, separators=(",", ":"))


def _logfmt_line(rng: random.Random, when: dt.datetime) -> str:
    fields = _fields(rng)
    message = rng.choice(_APP_MESSAGES).format(**fields)
    return (
        f"time={when.isoformat(timespec='seconds')} level={rng.choice(_LEVELS).lower()} "
        f'msg="{message}" request_id={fields["uuid"]} method={rng.choice(_METHODS)} '
        f"path={fields['path']} status={rng.choice(_STATUSES)} duration={fields['ms']}ms "
        f"span={rng.getrandbits(64):016x}"
    )


def _access_line(rng: random.Random, when: dt.datetime) -> str:
    fields = _fields(rng)
    return (
        f'{fields["ip"]} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "{rng.choice(_METHODS)} '
        f'{fields["path"]} HTTP/1.1" {rng.choice(_STATUSES)} {rng.randint(0, 90_000)} "-" '
        f'"{rng.choice(_AGENTS)}" {round(rng.random(), 3)}'
    )


_LINE_MAKERS: tuple[Callable[[random.Random, dt.datetime], str], ...] = (
    _syslog_line, _hdfs_line, _json_line, _logfmt_line, _access_line,
)  # fmt: skip


def synthetic_lines(count: int, seed: int = SEED) -> list[str]:
    """*count* machine log lines in five formats, the same for the same *seed*."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    lines = []
    for i in range(count):
        when = start + dt.timedelta(seconds=i * 1.7 + rng.random())
        lines.append(_LINE_MAKERS[rng.randrange(len(_LINE_MAKERS))](rng, when))
    return lines


# ------------------------------------------------------------------------------ naive baseline

#: What naive redactors and blog posts do: one stdlib pattern per kind, applied one after another.
NAIVE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[EMAIL]", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("[PHONE]", re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")),
    ("[CREDIT_CARD]", re.compile(r"\b(?:\d{4}[ -]?){3}\d{1,4}\b")),
    ("[SSN]", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")),
    (
        "[IPV4]",
        re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b"),
    ),
    (
        "[IPV6]",
        re.compile(
            r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
            r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?"
        ),
    ),
    ("[JWT]", re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")),
    ("[AWS_KEY]", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
)


def naive_redact(text: str) -> str:
    """The baseline: each of :data:`NAIVE_PATTERNS` substituted in turn."""
    for replacement, pattern in NAIVE_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# --------------------------------------------------------------------------- synthetic PII values

_FIRST = ("jane", "omar", "li", "sofia", "kwame", "ines", "raj", "anna", "diego", "yuki")
_LAST = ("doe", "haddad", "wei", "rossi", "mensah", "garcia", "patel", "novak", "silva", "sato")
_DOMAINS = ("example.com", "mail.example.org", "corp.example.net", "gmail.com", "posteo.de")
_BASE62 = string.ascii_letters + string.digits
_BASE32 = string.ascii_uppercase + "234567"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def fake_email(rng: random.Random) -> str:
    """``first.last42@domain``."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"


def fake_phone(rng: random.Random) -> str:
    """An E.164 number (``+CC`` and the national significant number, no spaces)."""
    country = rng.choice(("1", "44", "49", "33", "61"))
    if country == "1":  # NANP: NPA [2-9][0-8]X and NXX [2-9]XX, neither an N11 code
        npa = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(2, 9)}"
        national = f"{npa}{rng.randint(2, 9)}{rng.randint(2, 9)}{_digits(rng, 5)}"
    elif country in ("44", "49"):
        national = f"{rng.choice('1237')}{_digits(rng, 9)}"
    else:
        national = f"{rng.randint(1, 7)}{_digits(rng, 8)}"
    return f"+{country}{national}"


def luhn_complete(partial: str) -> str:
    """*partial* followed by its Luhn check digit."""
    total = 0
    for i, char in enumerate(reversed(partial)):
        digit = int(char)
        if i % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return partial + str(-total % 10)


def fake_card(rng: random.Random) -> str:
    """A Luhn-valid Visa, Mastercard or Amex number in its printed grouping."""
    brand = rng.choice(("visa", "mastercard", "amex"))
    if brand == "amex":
        pan = luhn_complete(rng.choice(("34", "37")) + _digits(rng, 12))
        return f"{pan[:4]} {pan[4:10]} {pan[10:]}"
    prefix = "4" if brand == "visa" else str(rng.randint(51, 55))
    pan = luhn_complete(prefix + _digits(rng, 15 - len(prefix)))
    return " ".join(pan[i : i + 4] for i in range(0, 16, 4))


def fake_ssn(rng: random.Random) -> str:
    """A dashed SSN in an issuable range (area not 000, 666 or 9XX; group and serial non-zero)."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits (mod 97) for *country* and *bban*."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def fake_iban(rng: random.Random) -> str:
    """A mod-97-valid German, British or French IBAN, compact or in groups of four."""
    country = rng.choice(("DE", "GB", "FR"))
    if country == "DE":
        bban = _digits(rng, 18)
    elif country == "GB":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + _digits(rng, 14)
    else:
        bban = _digits(rng, 23)
    iban = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.5:
        return iban
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def fake_ipv4(rng: random.Random) -> str:
    """A public unicast IPv4 address."""
    first = rng.choice((8, 23, 34, 45, 52, 64, 81, 91, 104, 142, 151, 185, 212, 217))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def fake_ipv6(rng: random.Random) -> str:
    """A global unicast IPv6 address, often with a run of zero groups (``::``)."""
    groups = [rng.choice((0x2A01, 0x2600, 0x2001, 0x2A02)), rng.getrandbits(16)]
    groups += [rng.getrandbits(16) for _ in range(6)]
    if rng.random() < 0.6:
        zero_from = rng.randint(2, 5)
        for i in range(zero_from, zero_from + rng.randint(2, 3)):
            groups[i] = 0
    value = sum(group << (16 * (7 - i)) for i, group in enumerate(groups))
    return str(ipaddress.IPv6Address(value))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_jwt(rng: random.Random) -> str:
    """An HS256 JWT with a plausible payload and a random signature."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": _uuid(rng), "iat": 1_700_000_000 + rng.randint(0, 10**7), "scope": "read"}
    payload = _b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{_b64url(rng.randbytes(32))}"


def fake_aws_key(rng: random.Random) -> str:
    """An AWS access key id (``AKIA`` and 16 base32 characters)."""
    return "AKIA" + "".join(rng.choice(_BASE32) for _ in range(16))


def fake_password(rng: random.Random) -> str:
    """A random password (the secret part of ``password=...``)."""
    alphabet = _BASE62 + "!#%*_-"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(10, 18)))


def fake_github_token(rng: random.Random) -> str:
    """A classic GitHub personal access token (``ghp_`` and 36 base62 characters)."""
    return "ghp_" + "".join(rng.choice(_BASE62) for _ in range(36))


@dataclass(frozen=True, slots=True)
class PiiKind:
    """A kind of injected value: how to make one, and how it is written into a line."""

    name: str
    make: Callable[[random.Random], str]
    template: str = "{}"  # how the value appears in the line


PII_KINDS: tuple[PiiKind, ...] = (
    PiiKind("EMAIL", fake_email),
    PiiKind("PHONE", fake_phone),
    PiiKind("CREDIT_CARD", fake_card),
    PiiKind("US_SSN", fake_ssn),
    PiiKind("IBAN", fake_iban),
    PiiKind("IPV4", fake_ipv4),
    PiiKind("IPV6", fake_ipv6),
    PiiKind("JWT", fake_jwt),
    PiiKind("AWS_ACCESS_KEY", fake_aws_key),
    PiiKind("PASSWORD", fake_password, "password={}"),
    PiiKind("GITHUB_TOKEN", fake_github_token),
)


@dataclass(frozen=True, slots=True)
class Injected:
    """A line with one synthetic value inserted, and the value that must not survive."""

    kind: str
    line: str
    secret: str


def inject_pii(lines: Sequence[str], seed: int = SEED) -> list[Injected]:
    """Every line with one value inserted between two space-separated words (kinds in rotation)."""
    rng = random.Random(seed + 1)
    injected = []
    for i, line in enumerate(lines):
        kind = PII_KINDS[i % len(PII_KINDS)]
        secret = kind.make(rng)
        words = line.split(" ")
        words.insert(rng.randint(0, len(words)), kind.template.format(secret))
        injected.append(Injected(kind.name, " ".join(words), secret))
    return injected


@dataclass(frozen=True, slots=True)
class Leaks:
    """Injected values still present in a redactor's output."""

    total: int
    by_kind: Counter[str]
    examples: dict[str, str]  # kind -> the output around the first leaked value


def count_leaks(redact: Callable[[str], str], items: Sequence[Injected]) -> Leaks:
    """How many injected values *redact* left in its output, by kind, with one example each."""
    by_kind: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for item in items:
        output = redact(item.line)
        at = output.find(item.secret)
        if at < 0:
            continue
        by_kind[item.kind] += 1
        if item.kind not in examples:
            start = max(0, at - 30)
            examples[item.kind] = output[start : at + len(item.secret) + 20]
    return Leaks(sum(by_kind.values()), by_kind, examples)


# ------------------------------------------------------------------------------------- timing


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds per pass over a workload, one sample per repetition."""

    samples: tuple[float, ...]

    @property
    def best(self) -> float:
        """The fastest pass: the least disturbed by other processes."""
        return min(self.samples)

    @property
    def median(self) -> float:
        """The median pass."""
        return statistics.median(self.samples)


def _one_pass(redact: Callable[[str], object], items: Sequence[str]) -> float:
    """Seconds to call *redact* on every item once, with the garbage collector paused.

    The engine's cache of clean texts is emptied first: every pass replays the same lines,
    which a service would see once (they hold timestamps), so the cache must not answer."""
    piiredact.default_redactor()._clean.clear()
    for engine in _ENGINES:
        engine._clean.clear()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for item in items:
            redact(item)
        return time.perf_counter() - start
    finally:
        gc.enable()


#: Engines built by the benchmark besides the default one, whose caches each pass empties.
_ENGINES: list[Redactor] = []


def time_interleaved(
    contenders: Sequence[Callable[[str], object]], items: Sequence[str], repeats: int
) -> list[Timing]:
    """Time each contender over *items* *repeats* times, alternating who goes first."""
    for redact in contenders:  # warm up caches and lazily built state
        for item in items[:200]:
            redact(item)
    samples: list[list[float]] = [[] for _ in contenders]
    for repetition in range(repeats):
        order = range(len(contenders))
        for index in order if repetition % 2 == 0 else reversed(order):
            samples[index].append(_one_pass(contenders[index], items))
    return [Timing(tuple(s)) for s in samples]


def utf8_size(items: Sequence[str]) -> int:
    """Total size of *items* in UTF-8 bytes."""
    return sum(len(item.encode("utf-8", "surrogatepass")) for item in items)


@dataclass(frozen=True, slots=True)
class Comparison:
    """piiredact against the naive baseline on one set of lines."""

    label: str
    count: int
    size: int  # bytes
    engine: Timing
    naive: Timing
    target: float | None  # highest acceptable ratio piiredact / naive

    @property
    def ratio(self) -> float:
        """piiredact / naive, best pass against best pass."""
        return self.engine.best / self.naive.best

    @property
    def median_ratio(self) -> float:
        """piiredact / naive, median against median."""
        return self.engine.median / self.naive.median

    @property
    def passed(self) -> bool | None:
        """Whether the ratio meets the target (None without a target)."""
        return None if self.target is None else self.ratio <= self.target


def compare(
    label: str,
    lines: Sequence[str],
    repeats: int,
    target: float | None,
    engine: Callable[[str], str] = piiredact.redact,
) -> Comparison:
    """Time *engine* and the naive baseline on *lines*."""
    engine_time, naive_time = time_interleaved((engine, naive_redact), lines, repeats)
    return Comparison(label, len(lines), utf8_size(lines), engine_time, naive_time, target)


# ---------------------------------------------------------------------------------- linearity


def spread_lines(lines: Sequence[str], size: int) -> list[str]:
    """Lines taken evenly across *lines* (all its log formats), cycling if needed, until they
    hold at least *size* bytes once joined with newlines."""
    stride = max(1, utf8_size(lines) // size)
    chosen: list[str] = []
    total = 0
    for line in itertools.cycle(lines[::stride]):
        chosen.append(line)
        total += len(line.encode("utf-8", "surrogatepass")) + 1
        if total >= size:
            break
    return chosen


def short_lines(lines: Sequence[str], width: int, total: int) -> list[str]:
    """About *total* characters of lines of exactly *width* characters: lines taken evenly across
    *lines*, cut to *width* or padded with the lines that follow them."""
    count = total // width
    result = []
    for number in range(count):
        index = number * len(lines) // count
        text = lines[index]
        following = index + 1
        while len(text) < width:
            text += " " + lines[following % len(lines)]
            following += 1
        result.append(text[:width])
    return result


@dataclass(frozen=True, slots=True)
class Linearity:
    """Per-byte cost of one large input against many short lines of the same text."""

    big_size: int
    big: Timing
    small_count: int
    small_size: int
    small: Timing
    split_count: int
    split: Timing  # the large input's own lines, one call each
    big_findings: int

    @property
    def big_ns_per_byte(self) -> float:
        """Nanoseconds per byte of the large input."""
        return self.big.best / self.big_size * 1e9

    @property
    def small_ns_per_byte(self) -> float:
        """Nanoseconds per byte of the 200-byte lines."""
        return self.small.best / self.small_size * 1e9

    @property
    def split_ns_per_byte(self) -> float:
        """Nanoseconds per byte of the large input redacted line by line."""
        return self.split.best / self.big_size * 1e9

    @property
    def ratio(self) -> float:
        """Per-byte cost of the large input / per-byte cost of the short lines."""
        return self.big_ns_per_byte / self.small_ns_per_byte

    @property
    def passed(self) -> bool:
        """Whether the ratio meets the target."""
        return self.ratio <= LINEARITY_TARGET


def measure_linearity(lines: Sequence[str], repeats: int) -> Linearity:
    """Time one ~1 MB input, ~1 MB of 200-byte lines cut from the same lines, and the 1 MB
    input's own lines one by one, with the same (2 MB limit) redactor."""
    redactor = Redactor(Policy(limits=Limits(max_value_length=2_000_000)))
    _ENGINES.append(redactor)
    chosen = spread_lines(lines, MEGABYTE)
    big = "\n".join(chosen)
    small = short_lines(chosen, SHORT_LINE, MEGABYTE)
    if redactor.redact(big) == FAILED_MARKER:
        print("  warning: the 1 MB input failed closed (budget, timeout or error)", file=sys.stderr)
    big_time, small_time, split_time = time_interleaved(
        (redactor.redact, _batch(redactor.redact, small), _batch(redactor.redact, chosen)),
        [big],
        repeats,
    )
    return Linearity(
        big_size=utf8_size([big]),
        big=big_time,
        small_count=len(small),
        small_size=utf8_size(small),
        small=small_time,
        split_count=len(chosen),
        split=split_time,
        big_findings=len(redactor.find(big)),
    )


def _batch(redact: Callable[[str], str], items: Sequence[str]) -> Callable[[str], None]:
    """A callable that ignores its argument and redacts every one of *items* (for timing)."""

    def run(_: str) -> None:
        for item in items:
            redact(item)

    return run


# --------------------------------------------------------------------------------------- pumps

#: Rule-independent adversarial units, each repeated to 100 KB.
GENERIC_UNITS = (
    "a", "1", "1.", "a@", "-", " ", "0:", "A", "%20", "a.", "1-", "1 ", "a ", "@", ".", ":",
    "::", "a:", "ab:", "+", "+1 ", "%40", "%2B", "=", "a=", "a=b ", '"a":"', '{"a":', "\n",
    "\t", "<", "<<", "/", "://", "a://b:", "\\n", "1,", "1/", "'a', ", "é", "€", "eyJ", "a-",
    "Aa1", "0x", "\\", '"', "a@a.", "1.1.1.", "f:", "ff:", "1:1", "A1", "9", "a1",
)  # fmt: skip
RULE_SUFFIXES = ("", " ", "1", " 1", "-", ".", "=", "a")
QUICK_SUFFIXES = ("", " ", "1")
TAILS = ("a", "1", " ", "-", "A")
#: Seeds for rules with no trigger, shape, cue or key (they run on every text).
UNGATED_SEEDS = ("a0b0", "0af", "a_0+/", "a-")


@dataclass(frozen=True, slots=True)
class Pump:
    """One adversarial input, labelled for the report."""

    owner: str  # the rule it targets, or "(generic)"
    label: str
    text: str


def _repeat(unit: str, length: int = PUMP_LENGTH) -> str:
    """*unit* repeated to exactly *length* characters."""
    return (unit * (length // len(unit) + 1))[:length]


def _short(text: str, width: int = 22) -> str:
    """repr(*text*) cut to *width* characters for labels."""
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def unfold(shape: str, rng: random.Random, upper: bool) -> str:
    """Text whose fold is *shape*: ``0`` becomes a random digit, letters keep their place (upper-
    or lower-case), everything else stays."""
    chars = []
    for char in shape:
        if char == "0":
            chars.append(rng.choice(string.digits))
        elif char.isalpha():
            chars.append(char.upper() if upper else char.lower())
        else:
            chars.append(char)
    return "".join(chars)


def rule_seeds(rule: Rule, rng: random.Random, limit: int) -> list[str]:
    """Up to *limit* fold strings that wake *rule*: triggers, a sample of shapes, cue words, and
    ``key=`` / JSON-key forms of its keys (for key-only rules)."""
    words = [*rule.triggers, *rule.context]
    shapes = list(rule.shapes)
    chosen = rng.sample(words, min(len(words), max(1, limit // 2) if shapes else limit))
    chosen += rng.sample(shapes, min(len(shapes), limit - len(chosen)))
    if rule.keyed_only or not chosen:
        keys = rng.sample(list(rule.keys), min(len(rule.keys), max(1, limit // 2)))
        forms = ("{}=", '"{}": "', "{}: ")
        chosen += [forms[i % len(forms)].format(key) for i, key in enumerate(keys)]
    if not chosen:  # a rule that runs on every text: token-like runs
        chosen = list(UNGATED_SEEDS)
    return chosen[:limit]


def rule_pumps(rule: Rule, seeds_per_rule: int, suffixes: Sequence[str], tails: bool) -> list[Pump]:
    """Adversarial inputs for *rule*: each seed (in both cases) repeated with each suffix, and
    the first seeds followed by a long run of one character."""
    rng = random.Random(f"{SEED}:{rule.name}")
    pumps = []
    for number, seed in enumerate(rule_seeds(rule, rng, seeds_per_rule)):
        for upper in (False, True):
            text = unfold(seed, rng, upper)
            for suffix in suffixes:
                unit = text + suffix
                pumps.append(Pump(rule.name, f"{_short(unit)} × N", _repeat(unit)))
            if tails and number < 2 and not upper:
                for tail in TAILS:
                    body = text + _repeat(tail, PUMP_LENGTH - len(text))
                    pumps.append(Pump(rule.name, f"{_short(text)} + {tail!r} × N", body))
    return pumps


def generic_pumps() -> list[Pump]:
    """Rule-independent adversarial inputs (runs of one class, separators, key/value forms)."""
    pumps = [Pump("(generic)", f"{_short(unit)} × N", _repeat(unit)) for unit in GENERIC_UNITS]
    sql = "INSERT INTO t (a) VALUES (" + _repeat("'a', ", PUMP_LENGTH - 40) + ")"  # noqa: S608
    pumps.append(Pump("(generic)", "INSERT … VALUES ('a', × N", sql[:PUMP_LENGTH]))
    return pumps


@dataclass(frozen=True, slots=True)
class PumpResult:
    """The slowest pump for one rule (or for the generic set)."""

    owner: str
    seconds: float  # with every rule of the policy on
    label: str
    text: str
    pumps: int
    failed: int  # pumps whose output was the failure marker (a budget or a timeout hit)
    alone: float | None = None  # the same pump with only this rule on (see isolated_redactor)

    @property
    def aborted(self) -> bool:
        """Whether the slowest pump ran past PUMP_ABORT and was interrupted."""
        return self.seconds >= PUMP_ABORT


class PumpAborted(BaseException):
    """Raised by a timer inside a pump that runs far too long; a BaseException so that the
    redactor's fail-closed ``except Exception`` does not swallow it."""


def _interrupt(signum: int, frame: object) -> None:
    raise PumpAborted


def _redact_capped(redact: Callable[[str], str], text: str) -> tuple[float, str | None]:
    """Seconds for one redaction and its output; (PUMP_ABORT, None) when the timer fired."""
    capped = hasattr(signal, "setitimer")
    if capped:
        previous = signal.signal(signal.SIGALRM, _interrupt)
        signal.setitimer(signal.ITIMER_REAL, PUMP_ABORT)
    start = time.perf_counter()
    try:
        output = redact(text)
        return time.perf_counter() - start, output
    except PumpAborted:
        return PUMP_ABORT, None
    finally:
        if capped:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def time_pump(redact: Callable[[str], str], text: str, retries: int) -> tuple[float, str | None]:
    """Seconds for one redaction of *text* (best of a few when slow) and its first output."""
    gc.collect()
    seconds, output = _redact_capped(redact, text)
    if PUMP_RECHECK < seconds < PUMP_ABORT:
        for _ in range(retries):
            seconds = min(seconds, _redact_capped(redact, text)[0])
    return seconds, output


def _limits() -> Limits:
    return Limits(max_value_length=200_000)


def _preset_for(name: str) -> str:
    """``default`` when the default policy runs rule *name*, else ``strict``."""
    return "default" if any(r.name == name for r in Policy().rules()) else "strict"


def pump_redactors() -> dict[str, Redactor]:
    """For each rule name, a 200 KB-limit redactor whose policy runs it (default, else strict)."""
    redactors = {preset: Redactor(Policy(preset=preset, limits=_limits())) for preset in PRESETS}
    chosen = {rule.name: redactors[_preset_for(rule.name)] for rule in BUILTIN_RULES}
    chosen["(generic)"] = redactors["default"]
    return chosen


def isolated_redactor(name: str) -> Callable[[str], str]:
    """A 200 KB-limit redactor that runs rule *name* and, when one exists, the rule named after
    its kind (``disabled`` matches kinds too, so that one cannot be switched off without it)."""
    kind = next(rule.kind for rule in BUILTIN_RULES if rule.name == name)
    others = frozenset(r.name for r in BUILTIN_RULES if r.name not in (name, kind))
    return Redactor(Policy(preset=_preset_for(name), disabled=others, limits=_limits())).redact


def run_pumps(quick: bool) -> list[PumpResult]:
    """Time every pump; the worst one per rule and for the generic set. Each rule's worst pump
    is timed again with that rule alone, to tell whose cost it is."""
    redactors = pump_redactors()
    retries = 1 if quick else 2
    suffixes = QUICK_SUFFIXES if quick else RULE_SUFFIXES
    groups: list[list[Pump]] = [generic_pumps()]
    groups += [rule_pumps(rule, 2 if quick else 4, suffixes, not quick) for rule in BUILTIN_RULES]
    for redactor in redactors.values():
        redactor.redact("warm up " * 10)
    seen: dict[tuple[int, str], tuple[float, str | None]] = {}  # (redactor, text) -> timing

    def timed(redactor: Redactor, text: str) -> tuple[float, str | None]:
        key = (id(redactor), text)
        if key not in seen:
            seen[key] = time_pump(redactor.redact, text, retries)
        return seen[key]

    results = []
    for pumps in groups:
        if not pumps:
            continue
        owner = pumps[0].owner
        redactor = redactors[owner]
        worst = max(pumps, key=lambda pump: timed(redactor, pump.text)[0])
        failed = sum(timed(redactor, pump.text)[1] == FAILED_MARKER for pump in pumps)
        seconds = timed(redactor, worst.text)[0]
        alone = None
        if owner != "(generic)":
            alone = time_pump(isolated_redactor(owner), worst.text, retries)[0]
        results.append(
            PumpResult(owner, seconds, worst.label, worst.text, len(pumps), failed, alone)
        )
    return results


# -------------------------------------------------------------------------------------- report


def _mark(passed: bool | None) -> str:
    return "" if passed is None else ("PASS" if passed else "FAIL")


def _rate(size: int, seconds: float) -> float:
    """MB/s."""
    return size / seconds / 1e6


def print_comparisons(rows: Sequence[Comparison]) -> None:
    """The table of piiredact against the naive baseline."""
    header = (
        f"{'':18}{'lines':>7}{'MB':>7} │{'piiredact':>11}{'':>8} │{'naive re.sub':>13}{'':>6} │"
        f"{'ratio':>7}{'median':>8}{'target':>8}"
    )
    units = f"{'':32} │{'µs/line':>11}{'MB/s':>8} │{'µs/line':>13}{'MB/s':>6} │"
    print(header)
    print(units)
    print("─" * len(header))
    for row in rows:
        target = "" if row.target is None else f"≤{row.target:.3f}"
        print(
            f"{row.label:18}{row.count:>7,}{row.size / 1e6:>7.2f} │"
            f"{row.engine.best / row.count * 1e6:>11.2f}{_rate(row.size, row.engine.best):>8.1f} │"
            f"{row.naive.best / row.count * 1e6:>13.2f}{_rate(row.size, row.naive.best):>6.1f} │"
            f"{row.ratio:>7.3f}{row.median_ratio:>8.3f}{target:>8}  {_mark(row.passed)}"
        )


def print_leaks(engine: Leaks, naive: Leaks, count: int) -> None:
    """Injected values that survived redaction, for piiredact and the baseline."""
    per_kind = count // len(PII_KINDS)
    print(f"\ninjected values left in the output (of {count:,}, ≈{per_kind:,} per kind):")
    print(f"  piiredact: {engine.total:,}   naive: {naive.total:,}")
    for kind in PII_KINDS:
        engine_miss, naive_miss = engine.by_kind[kind.name], naive.by_kind[kind.name]
        print(f"    {kind.name:16} piiredact {engine_miss:>6,}   naive {naive_miss:>6,}")
    for name, example in engine.examples.items():
        print(f"  piiredact missed {name}, e.g. …{example!r}…")


def print_linearity(result: Linearity) -> None:
    """The large-input rows."""
    rows = (
        (f"1 input of {result.big_size / 1e6:.2f} MB", result.big, result.big_size),
        (f"{result.small_count:,} lines of {SHORT_LINE} B", result.small, result.small_size),
        (f"the 1 MB input's {result.split_count:,} lines", result.split, result.big_size),
    )
    print(f"\nlinearity (2 MB-limit redactor; {result.big_findings:,} findings in the 1 MB input):")
    for label, timing, size in rows:
        print(
            f"  {label:32}{timing.best * 1e3:8.1f} ms {_rate(size, timing.best):7.1f} MB/s"
            f"{timing.best / size * 1e9:8.1f} ns/B"
        )
    print(
        f"  per-byte ratio 1 MB / 200 B lines: {result.ratio:.2f} (target ≤{LINEARITY_TARGET})  "
        f"{_mark(result.passed)}   [1 MB / its own lines: "
        f"{result.big_ns_per_byte / result.split_ns_per_byte:.2f}]"
    )


def _pump_cell(result: PumpResult) -> str:
    """``NAME  !*  123.4   56.7``: a rule's worst pump, with all rules on and alone (ms)."""
    flags = ("!" if result.seconds > PUMP_LIMIT else " ") + ("*" if result.failed else " ")
    alone = "-" if result.alone is None else f"{result.alone * 1e3:.1f}"
    return f"{result.owner:25}{flags}{result.seconds * 1e3:7.1f}{alone:>8}"


def print_pumps(results: Sequence[PumpResult]) -> None:
    """Worst 100 KB pump per rule in compact columns, then the offenders in detail."""
    total = sum(r.pumps for r in results)
    ranked = sorted(results, key=lambda r: r.seconds, reverse=True)
    over = [r for r in ranked if r.seconds > PUMP_LIMIT]
    print(
        f"\npumps: {total:,} inputs of {PUMP_LENGTH // 1000} KB; per rule, the time of its worst "
        f"pump in ms, with all rules on and with the rule alone\n"
        f"  (200 KB-limit redactor, strict preset for strict-only rules)\n"
        f"  ! over {PUMP_LIMIT * 1e3:.0f} ms   * some pumps failed closed (budget or regex timeout)"
    )
    cells = [_pump_cell(result) for result in ranked]
    header = f"{'rule':27}{'all':>7}{'alone':>8}"
    print(f"  {header}     {header}")
    columns = 2
    for start in range(0, len(cells), columns):
        print("  " + "     ".join(cells[start : start + columns]))
    alone_over = [r for r in over if r.alone is not None and r.alone > PUMP_LIMIT]
    print(
        f"  {len(over)} of {len(results)} over the limit with all rules on; "
        f"{len(alone_over)} over it with the rule alone:"
    )
    generic = [r for r in over if r.owner == "(generic)"]
    for result in dict.fromkeys([*alone_over, *ranked[:3], *generic]):
        if result.seconds <= PUMP_LIMIT:
            continue
        full = "aborted" if result.aborted else f"{result.seconds * 1e3:.1f} ms"
        alone = "" if result.alone is None else f" (alone {result.alone * 1e3:.1f} ms)"
        print(f"  FAIL {result.owner:24}{full:>10}{alone:20} on {result.label}")
    print(f"  worst 100 KB pump: {ranked[0].seconds * 1e3:.1f} ms  {_mark(pumps_passed(results))}")


def pumps_passed(results: Sequence[PumpResult]) -> bool:
    """No pump over the time limit."""
    return all(r.seconds <= PUMP_LIMIT for r in results)


# ---------------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--loghub", type=Path, default=DEFAULT_LOGHUB, help="loghub *.log directory"
    )
    parser.add_argument("--quick", action="store_true", help="every 10th line, fewer repetitions")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--repeats", type=int, default=None, help="passes per measurement")
    return parser.parse_args(argv)


def workload(directory: Path) -> tuple[list[str], str]:
    """The lines to measure and a description of where they come from."""
    lines = load_loghub(directory)
    if lines is not None:
        return lines, f"loghub ({directory})"
    return synthetic_lines(LINE_COUNT), f"synthetic (seed {SEED}; no *.log in {directory})"


@contextlib.contextmanager
def progress(title: str) -> Iterator[None]:
    """Say on stderr what is being measured and how long it took."""
    start = time.perf_counter()
    print(f"… {title}", file=sys.stderr, flush=True)
    yield
    print(f"  done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement, print the report; the exit status follows ``--strict``."""
    args = parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    lines, source = workload(args.loghub)
    if args.quick:
        lines = lines[::10]
    redactor = piiredact.default_redactor()
    clean = [line for line in lines if not redactor.find(line)]
    injected = inject_pii(lines)
    injected_lines = [item.line for item in injected]

    with progress("leak check"):
        engine_leaks = count_leaks(piiredact.redact, injected)
        naive_leaks = count_leaks(naive_redact, injected)
    with progress("real, clean and injected lines"):
        rows = [
            compare("a real lines", lines, repeats, None),
            compare("b clean lines", clean, repeats, CLEAN_TARGET),
            compare("c injected PII", injected_lines, repeats, INJECTED_TARGET),
        ]
    with progress("linearity"):
        linearity = measure_linearity(lines, max(3, repeats // 2))
    with progress("pumps"):
        pumps = run_pumps(args.quick)

    print(
        f"piiredact {piiredact.__version__} engine benchmark, Python {platform.python_version()}, "
        f"{'quick' if args.quick else 'full'} run: best of {repeats} passes (median ratio too)"
    )
    print(f"workload: {len(lines):,} lines from {source}\n")
    print_comparisons(rows)
    print_leaks(engine_leaks, naive_leaks, len(injected))
    print_linearity(linearity)
    print_pumps(pumps)

    verdicts = [rows[1].passed, rows[2].passed, linearity.passed, pumps_passed(pumps)]
    missed = sum(1 for verdict in verdicts if verdict is False)
    print(f"\ntargets met: {len(verdicts) - missed}/{len(verdicts)}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
