################################################################################
# Cycle planner Lambda: shards and topics with work (metadata calls only)
################################################################################

resource "aws_cloudwatch_log_group" "planner" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_158:The key ARN is computed (unknown in the plan); kms_key_id is the stack key (see the module README and tests).
  #checkov:skip=CKV_AWS_338:Retention is an environment choice (log_retention_days, default 365); prod keeps a year, dev and staging less to save cost.
  name              = local.planner_logs
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "planner" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_116:Invoked synchronously by the state machine (lambda:invoke with Retry and Catch to the alert); an async DLQ would never receive anything.
  #checkov:skip=CKV_AWS_117:Only calls regional AWS APIs (S3, Glue, DynamoDB) over TLS; a VPC adds NAT or endpoint cost and no isolation here.
  #checkov:skip=CKV_AWS_272:Packages are built and hashed by scripts/build_lambdas.sh in CI; code signing needs a Signer profile outside this stack.
  #checkov:skip=CKV_AWS_173:The key ARN is computed (unknown in the plan); kms_key_arn is the stack key (see the module README and tests).
  function_name    = local.planner_name
  description      = "Lean-Ops cycle planner: keeps the shards and topics with an open gate and new data."
  role             = aws_iam_role.planner[0].arn
  filename         = var.planner_zip_path
  source_code_hash = try(filebase64sha256(var.planner_zip_path), null)
  handler          = "handler.lambda_handler"
  runtime          = var.lambda_runtime
  architectures    = [var.lambda_architecture]
  timeout          = var.planner_timeout_seconds
  memory_size      = var.planner_memory_mb
  kms_key_arn      = var.kms_key_arn
  # One invocation per cycle: a small reservation caps it (checkov CKV_AWS_115) and keeps it runnable
  # when other functions exhaust the account's pool. A reservation is taken from the account's
  # concurrency, which must keep at least 100 unreserved (Lambda developer guide, "Configuring
  # reserved concurrency for a function"); a throttled invoke is retried by the Plan state.
  reserved_concurrent_executions = var.planner_reserved_concurrency

  environment {
    variables = {
      LEANOPS_CONTRACTS_URI    = var.contracts_uri
      LEANOPS_CHECKPOINT_TABLE = aws_dynamodb_table.checkpoints[0].name
      POWERTOOLS_SERVICE_NAME  = local.planner_service_name
      POWERTOOLS_LOG_LEVEL     = var.log_level
    }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.planner[0].name
  }

  tracing_config {
    mode = "PassThrough"
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.planner, aws_cloudwatch_log_group.planner]
}
