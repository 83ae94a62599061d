"""``send``: each line of a file becomes one SQS message body, verbatim.

SQS refuses some bodies; they are reported with their line number and reason and not sent: an
empty line (SQS needs at least one character), characters outside SQS's allowed set, a body
over 256 KiB. Everything else, malformed JSON included, is sent as is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leanops.local.ledger import Ledger, LedgerEntry
from leanops.local.progress import progress

LOGGER = logging.getLogger(__name__)
SQS_MAX_BODY_BYTES = 256 * 1024
SQS_MAX_BATCH_ENTRIES = 10
# SQS accepts #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
_REFUSED_CHARACTER = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class RefusedLine:
    """A line that was not sent, and why."""

    line: int
    reason: str


@dataclass
class SendReport:
    """What ``send`` did with a file."""

    topic: str
    sent: list[LedgerEntry] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)


def refusal_reason(body: str) -> str | None:
    """Return why SQS would refuse ``body`` as a message body, or None when it accepts it."""
    if body == "":
        return "empty line: SQS refuses an empty message body"
    match = _REFUSED_CHARACTER.search(body)
    if match:
        character, column = ord(match.group()), match.start() + 1
        return f"character U+{character:04X} at column {column} is outside SQS's allowed characters"
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > SQS_MAX_BODY_BYTES:
        return f"body is {size} bytes; SQS's limit is {SQS_MAX_BODY_BYTES}"
    return None


def read_bodies(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, body) for each line of a file, line end removed, nothing else.

    Bytes that are not UTF-8 become lone surrogates, which :func:`refusal_reason` refuses.
    """
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    yield from enumerate(lines, start=1)


def _batches(bodies: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    size = 0
    for item in bodies:
        body_size = len(item[1].encode("utf-8"))
        if batch and (len(batch) == SQS_MAX_BATCH_ENTRIES or size + body_size > SQS_MAX_BODY_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += body_size
    if batch:
        yield batch


def send_file(sqs: Any, queue_url: str, topic: str, path: Path, ledger: Ledger) -> SendReport:
    """Send every acceptable line of ``path`` to the queue and record it in the ledger."""
    report = SendReport(topic=topic)
    acceptable: list[tuple[int, str]] = []
    for number, body in read_bodies(path):
        reason = refusal_reason(body)
        if reason:
            report.refused.append(RefusedLine(number, reason))
        else:
            acceptable.append((number, body))
    with progress(f"send {topic}", total=len(acceptable)) as advance:
        for batch in _batches(acceptable):
            entries = [{"Id": str(number), "MessageBody": body} for number, body in batch]
            response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
            sent = [
                LedgerEntry(item["MessageId"], topic, str(path), int(item["Id"]))
                for item in response.get("Successful", [])
            ]
            ledger.append(sent)
            report.sent.extend(sent)
            for failure in response.get("Failed", []):
                report.refused.append(
                    RefusedLine(
                        int(failure["Id"]), f"SQS refused it: {failure.get('Message', failure.get('Code'))}"
                    )
                )
            advance(len(batch))
    report.refused.sort(key=lambda refused: refused.line)
    return report
