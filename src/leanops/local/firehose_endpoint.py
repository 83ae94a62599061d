"""Firehose's API on 127.0.0.1 for the Lambda workers' real boto3 clients (moto has no Iceberg delivery).

Serves ``PutRecordBatch`` and ``PutRecord`` in the AWS JSON 1.1 protocol (``POST /``,
``X-Amz-Target: Firehose_20150804.<Operation>``, ``Content-Type: application/x-amz-json-1.1``;
blobs as base64; errors as HTTP 400 with ``{"__type": code, "message": ...}``), backed by
:class:`leanops.local.firehose.FirehoseStreams`. Workers find it through
``AWS_ENDPOINT_URL_FIREHOSE`` (service-specific endpoint, AWS SDKs and Tools reference guide,
"Service-specific endpoints").
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from botocore.exceptions import ClientError

from leanops.local.firehose import FirehoseStreams

LOGGER = logging.getLogger(__name__)
TARGET_PREFIX = "Firehose_20150804."
JSON_11 = "application/x-amz-json-1.1"
ENDPOINT_ENV = "AWS_ENDPOINT_URL_FIREHOSE"
BAD_REQUEST = 400
OK = 200
LOOPBACK = "127.0.0.1"


def _decoded(record: dict[str, Any]) -> dict[str, Any]:
    try:
        return {**record, "Data": base64.b64decode(record["Data"], validate=True)}
    except (KeyError, TypeError, binascii.Error) as exc:
        raise ClientError(
            {"Error": {"Code": "SerializationException", "Message": f"Record.Data is not base64: {exc}"}},
            "PutRecordBatch",
        ) from exc


def dispatch(streams: FirehoseStreams, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """Run one Firehose operation on ``streams``.

    Raises:
        ClientError: as the operation raises it, or UnknownOperationException.
    """
    if operation == "PutRecordBatch":
        records = [_decoded(record) for record in body.get("Records", [])]
        return streams.put_record_batch(
            DeliveryStreamName=body.get("DeliveryStreamName", ""), Records=records
        )
    if operation == "PutRecord":
        record = _decoded(body.get("Record", {}))
        return streams.put_record(DeliveryStreamName=body.get("DeliveryStreamName", ""), Record=record)
    raise ClientError(
        {"Error": {"Code": "UnknownOperationException", "Message": f"{operation} is not served locally"}},
        operation,
    )


class _Handler(BaseHTTPRequestHandler):
    streams: FirehoseStreams

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        target = self.headers.get("X-Amz-Target", "")
        operation = target.removeprefix(TARGET_PREFIX)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            status, payload = OK, dispatch(self.streams, operation, body)
        except ClientError as exc:
            error = exc.response["Error"]
            status, payload = BAD_REQUEST, {"__type": error["Code"], "message": error["Message"]}
        except ValueError as exc:
            status, payload = BAD_REQUEST, {"__type": "SerializationException", "message": str(exc)}
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON_11)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        LOGGER.debug("firehose endpoint: " + format, *args)


class FirehoseEndpoint:
    """The HTTP server on 127.0.0.1 (random port) in a daemon thread; use as a context manager."""

    def __init__(self, streams: FirehoseStreams) -> None:
        """Bind the endpoint to the streams it serves (not started yet)."""
        self.streams = streams
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint URL (``AWS_ENDPOINT_URL_FIREHOSE``); starts the server on first use."""
        if self._server is None:
            handler = type("FirehoseHandler", (_Handler,), {"streams": self.streams})
            self._server = ThreadingHTTPServer((LOOPBACK, 0), handler)
            self._thread = threading.Thread(target=self._server.serve_forever, name="firehose", daemon=True)
            self._thread.start()
        port = self._server.server_address[1]
        return f"http://{LOOPBACK}:{port}"

    def __enter__(self) -> FirehoseEndpoint:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server, if it was started."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
