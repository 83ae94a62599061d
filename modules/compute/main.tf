################################################################################
# Lambdas: sqs_processor, firehose_transform, dlq_archiver
################################################################################

resource "aws_lambda_function" "this" {
  for_each = local.functions

  #checkov:skip=CKV_AWS_116:Invoked synchronously by SQS event source mappings and Firehose; failures go to the queues' DLQs and Firehose's error prefix, not to a Lambda DLQ.
  #checkov:skip=CKV_AWS_117:Only calls regional AWS APIs (SQS, Firehose) over TLS; a VPC adds NAT cost and no isolation here.
  #checkov:skip=CKV_AWS_173:The key ARN is computed (unknown in the plan); kms_key_arn is the stack key (see the module README and tests).
  #checkov:skip=CKV_AWS_272:Packages are built and hashed by scripts/build_lambdas.sh in CI; code signing needs a Signer profile outside this stack.
  function_name                  = each.value.function_name
  description                    = "Lean-Ops ${each.key}"
  role                           = aws_iam_role.this[each.key].arn
  filename                       = each.value.package_path
  source_code_hash               = try(filebase64sha256(each.value.package_path), null)
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  memory_size                    = each.value.sizing.memory_mb
  timeout                        = each.value.sizing.timeout_seconds
  reserved_concurrent_executions = each.value.sizing.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = merge(local.environments[each.key], {
      POWERTOOLS_SERVICE_NAME = each.value.service
      POWERTOOLS_LOG_LEVEL    = var.log_level
    })
  }

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  tags = merge(var.tags, { "leanops:function" = each.key })

  lifecycle {
    precondition {
      condition     = length(jsonencode(local.environments[each.key])) < local.lambda_environment_max_bytes
      error_message = "The environment of ${each.value.function_name} (${length(jsonencode(local.environments[each.key]))} bytes) exceeds Lambda's 4 KB limit (Lambda quotas: environment variables): use fewer Firehose streams."
    }
  }

  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.functions

  #checkov:skip=CKV_AWS_158:The key ARN is computed (unknown in the plan); kms_key_id is the stack key (see the module README and tests).
  #checkov:skip=CKV_AWS_338:Retention is an environment choice (log_retention_days); prod keeps a year, dev less to save cost.
  name              = "/aws/lambda/${each.value.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}
