################################################################################
# State machine and schedule
################################################################################

output "state_machine_arn" {
  description = "ARN of the cycle state machine."
  value       = try(aws_sfn_state_machine.this[0].arn, null)
}

output "state_machine_name" {
  description = "Name of the cycle state machine."
  value       = try(aws_sfn_state_machine.this[0].name, null)
}

output "state_machine_arn_static" {
  description = "ARN of the cycle state machine built from its name (no dependency on the resource; breaks cycles)."
  value       = local.create && var.region != null && var.account_id != null ? "arn:aws:states:${var.region}:${var.account_id}:stateMachine:${local.state_machine_name}" : null
}

output "state_machine_role_arn" {
  description = "ARN of the IAM role the state machine runs as."
  value       = try(aws_iam_role.state_machine[0].arn, null)
}

output "state_machine_log_group_name" {
  description = "Name of the state machine's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.state_machine[0].name, null)
}

output "schedule_arn" {
  description = "ARN of the EventBridge Scheduler schedule starting cycles."
  value       = try(aws_scheduler_schedule.this[0].arn, null)
}

output "schedule_role_arn" {
  description = "ARN of the IAM role EventBridge Scheduler uses to start executions."
  value       = try(aws_iam_role.scheduler[0].arn, null)
}

output "cycle_lock_id" {
  description = "lock_id of the cycle lock item in the lock table (cycle#<state machine name>)."
  value       = local.create ? local.cycle_lock_id : null
}

output "cycle_lock_ttl_seconds" {
  description = "TTL of the cycle lock and TimeoutSeconds of an execution (derived from the worst-case cycle unless set)."
  value       = local.create ? local.cycle_lock_ttl_seconds : null
}

output "job_poll_interval_seconds" {
  description = "Seconds between two GetJobRun polls (derived unless set)."
  value       = local.create ? local.job_poll_interval_seconds : null
}

output "worst_case_cycle_seconds" {
  description = "Longest a cycle can take: every run of every shard timing out and retried, with all retry waits."
  value       = local.create ? local.worst_case_cycle_seconds : null
}

output "worst_case_history_events" {
  description = "History events of that worst-case cycle (Step Functions quota: 25,000 per execution; budget 20,000)."
  value       = local.create ? local.worst_case_history_events : null
}

################################################################################
# DynamoDB
################################################################################

output "checkpoint_table_name" {
  description = "Name of the checkpoint table (topic HASH, layer RANGE): LEANOPS_CHECKPOINT_TABLE of the jobs."
  value       = try(aws_dynamodb_table.checkpoints[0].name, null)
}

output "checkpoint_table_arn" {
  description = "ARN of the checkpoint table."
  value       = try(aws_dynamodb_table.checkpoints[0].arn, null)
}

output "lock_table_name" {
  description = "Name of the lock table (lock_id HASH, TTL on expires_at): LEANOPS_LOCK_TABLE of the jobs."
  value       = try(aws_dynamodb_table.locks[0].name, null)
}

output "lock_table_arn" {
  description = "ARN of the lock table."
  value       = try(aws_dynamodb_table.locks[0].arn, null)
}

################################################################################
# Alerts
################################################################################

output "alert_topic_arn" {
  description = "ARN of the SNS alert topic (cycle failures; the monitoring alarms publish here too)."
  value       = try(aws_sns_topic.alerts[0].arn, null)
}

output "alert_topic_name" {
  description = "Name of the SNS alert topic."
  value       = try(aws_sns_topic.alerts[0].name, null)
}

################################################################################
# Cycle planner Lambda
################################################################################

output "planner_function_name" {
  description = "Name of the cycle planner Lambda."
  value       = try(aws_lambda_function.planner[0].function_name, null)
}

output "planner_function_arn" {
  description = "ARN of the cycle planner Lambda."
  value       = try(aws_lambda_function.planner[0].arn, null)
}

output "planner_role_arn" {
  description = "ARN of the cycle planner Lambda's IAM role."
  value       = try(aws_iam_role.planner[0].arn, null)
}

output "planner_log_group_name" {
  description = "Name of the cycle planner Lambda's log group."
  value       = try(aws_cloudwatch_log_group.planner[0].name, null)
}
