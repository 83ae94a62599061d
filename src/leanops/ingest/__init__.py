"""Logic of the ingest Lambdas (sqs_processor, firehose_transform, dlq_archiver) and DLQ replay.

Pure functions plus thin boto3 calls; never imports pyspark. The handlers in
``modules/compute/lambda/<name>/handler.py`` only wire events to these functions.
"""
