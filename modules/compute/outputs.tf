output "function_names" {
  description = "Function (sqs_processor, firehose_transform, dlq_archiver) -> Lambda function name."
  value       = { for name, fn in aws_lambda_function.this : name => fn.function_name }
}

output "function_arns" {
  description = "Function -> Lambda function ARN (available once its role policy exists, so event source mappings can use it)."
  value       = { for name, fn in aws_lambda_function.this : name => fn.arn }
  depends_on  = [aws_iam_role_policy.this]
}

output "function_arns_static" {
  description = "Function -> ARN built from its name (no dependency on the resources; breaks cycles)."
  value       = { for name, fn in local.functions : name => "arn:${var.partition}:lambda:${var.region}:${var.account_id}:function:${fn.function_name}" }
}

output "role_arns" {
  description = "Function -> ARN of its IAM role."
  value       = { for name, role in aws_iam_role.this : name => role.arn }
}

output "log_group_names" {
  description = "Function -> name of its log group."
  value       = { for name, group in aws_cloudwatch_log_group.this : name => group.name }
}

output "sqs_processor_function_arn" {
  description = "ARN of sqs_processor."
  value       = try(aws_lambda_function.this["sqs_processor"].arn, null)
  depends_on  = [aws_iam_role_policy.this]
}

output "firehose_transform_function_arn" {
  description = "ARN of firehose_transform, built from its name (known at plan time, so the Firehose role policy is) but available only once the functions exist: a Firehose stream that references it is created after the Lambda it invokes."
  value       = local.create ? "arn:${var.partition}:lambda:${var.region}:${var.account_id}:function:${local.functions["firehose_transform"].function_name}" : null
  depends_on  = [aws_lambda_function.this]
}

output "function_timeouts" {
  description = "Function -> its timeout in seconds (the queues' visibility timeouts derive from it)."
  value       = { for name, fn in local.functions : name => fn.sizing.timeout_seconds }
}

output "dlq_archiver_function_arn" {
  description = "ARN of dlq_archiver."
  value       = try(aws_lambda_function.this["dlq_archiver"].arn, null)
  depends_on  = [aws_iam_role_policy.this]
}
