"""
Concurrency: many threads and tasks logging personal data through install() and structlog at
once, while the policy is swapped under them. No exception, no leak, no lost record.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

import piiredact
from piiredact import Policy


structlog = pytest.importorskip("structlog")
import piiredact.structlog as piiredact_structlog  # noqa: E402


EMAIL = "jane.doe@example.com"
IP = "203.0.113.7"
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
CANARIES = (EMAIL, IP, TOKEN, "jane.doe")
THREADS, CALLS = 16, 150
POLICIES = (Policy(), Policy(actions={"IPV4": "generalize"}), Policy(preset="strict"))


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(threadName)s %(message)s %(token)s"))
        self.lines: list[str] = []
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.errors += 1

    def handleError(self, record: logging.LogRecord) -> None:
        self.errors += 1


@pytest.fixture
def handler() -> Iterator[Lines]:
    lines = Lines()
    logger = logging.getLogger("tests.concurrency")
    logger.addHandler(lines)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield lines
    finally:
        logger.removeHandler(lines)
        piiredact.uninstall()


def leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary in text]


def run_threads(target: object, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            target()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, name=f"worker-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_log_through_install_while_the_policy_is_swapped(handler: Lines) -> None:
    piiredact.install(POLICIES[0])
    logger = logging.getLogger("tests.concurrency")
    done = threading.Event()

    def swap() -> None:
        number = 0
        while not done.is_set():
            piiredact.install(POLICIES[number % len(POLICIES)])
            number += 1

    swapper = threading.Thread(target=swap)
    swapper.start()

    def work() -> None:
        for number in range(CALLS):
            logger.info("user %s #%d from %s", EMAIL, number, IP, extra={"token": TOKEN})

    try:
        errors = run_threads(work, THREADS)
    finally:
        done.set()
        swapper.join()
    assert errors == []
    assert handler.errors == 0
    assert len(handler.lines) == THREADS * CALLS
    assert leaks("\n".join(handler.lines)) == []


def test_threads_log_through_structlog_at_once() -> None:
    stream = io.StringIO()
    processor = piiredact_structlog.RedactingProcessor()
    chain = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        processor,
        structlog.processors.JSONRenderer(),
    ]

    def work() -> None:
        structlog.contextvars.bind_contextvars(user=EMAIL)
        log = structlog.wrap_logger(structlog.PrintLogger(stream), processors=chain)
        for number in range(CALLS):
            log.info("login", number=number, ip=IP, token=TOKEN, nested={"email": EMAIL})

    errors = run_threads(work, THREADS)
    assert errors == []
    lines = stream.getvalue().splitlines()
    assert len(lines) == THREADS * CALLS
    assert leaks(stream.getvalue()) == []
    assert json.loads(lines[0])["user"] == "[USERNAME]"  # by its key


def test_asyncio_tasks_with_context_variables(handler: Lines) -> None:
    piiredact.install()
    logger = logging.getLogger("tests.concurrency")
    events = io.StringIO()
    processor = piiredact_structlog.RedactingProcessor()
    chain = [
        structlog.contextvars.merge_contextvars,
        processor,
        structlog.processors.JSONRenderer(),
    ]

    async def task(number: int) -> None:
        structlog.contextvars.bind_contextvars(request_user=EMAIL, number=number)
        log = structlog.wrap_logger(structlog.PrintLogger(events), processors=chain)
        for _ in range(20):
            await asyncio.sleep(0)
            log.info("step", client=IP)
            logger.info("task %d for %s", number, EMAIL, extra={"token": TOKEN})

    async def main() -> None:
        await asyncio.gather(*(task(number) for number in range(50)))

    asyncio.run(main())
    assert len(handler.lines) == 50 * 20
    assert len(events.getvalue().splitlines()) == 50 * 20
    assert leaks("\n".join(handler.lines) + events.getvalue()) == []
    numbers = {json.loads(line)["number"] for line in events.getvalue().splitlines()}
    assert numbers == set(range(50))  # each task kept its own context
