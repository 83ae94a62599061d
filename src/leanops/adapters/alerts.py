"""Failure alerts to SNS (the same topic Step Functions and the CloudWatch alarms use)."""

from __future__ import annotations

import logging
from typing import Any

import boto3

from leanops.adapters.aws import SNS_SERVICE

logger = logging.getLogger(__name__)

SNS_SUBJECT_MAX_LENGTH = 100
ELLIPSIS = "..."


class Alerter:
    """Publishes failure messages; with no topic ARN it only logs them."""

    def __init__(self, topic_arn: str | None, sns_client: Any | None = None) -> None:
        """Open the alerter.

        Args:
            topic_arn: the SNS topic; None logs alerts instead of publishing them.
            sns_client: a boto3 SNS client; created when None and a topic ARN is set.

        """
        self.topic_arn = topic_arn
        self._sns: Any = sns_client
        if sns_client is None and topic_arn is not None:
            self._sns = boto3.client(SNS_SERVICE)

    def alert(self, subject: str, message: str) -> None:
        """Publish one alert (the subject is cut to SNS's 100 characters).

        A failure to publish is logged, never raised: an alert must not fail the run it reports.
        """
        logger.error("ALERT %s: %s", subject, message)
        if self.topic_arn is None:
            return
        if len(subject) > SNS_SUBJECT_MAX_LENGTH:
            subject = subject[: SNS_SUBJECT_MAX_LENGTH - len(ELLIPSIS)] + ELLIPSIS
        try:
            self._sns.publish(TopicArn=self.topic_arn, Subject=subject, Message=message)
        except Exception:  # noqa: BLE001 - alerting is best effort; the failure is logged
            logger.exception("could not publish the alert %r to %s", subject, self.topic_arn)
