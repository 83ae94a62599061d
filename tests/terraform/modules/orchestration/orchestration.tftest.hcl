# terraform test (offline): the module's resources under a mocked AWS provider.
# Run from modules/orchestration: terraform init -backend=false && terraform test

mock_provider "aws" {
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:leanops-test-alerts" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-cycle-planner" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/leanops-test-mocked" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mocked" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = { arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:leanops-test-cycle" }
  }
}

variables {
  name_prefix           = "leanops-test"
  account_id            = "123456789012"
  region                = "eu-west-1"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  kms_key_alias_name    = "alias/leanops-test"
  schemas_dir           = "schemas"
  shards                = { shard-0 = ["orders"], shard-1 = ["payments", "refunds"] }
  standardized_job_name = "leanops-test-standardized"
  curated_job_name      = "leanops-test-curated"
  planner_zip_path      = "build/lambda/cycle_planner.zip"
  contracts_uri         = "s3://leanops-test-schemas-123456789012/contracts/"
  warehouse_bucket_arn  = "arn:aws:s3:::leanops-test-lake-123456789012"
  alert_emails          = ["oncall@example.com"]
}

run "deploys_the_cycle_with_secure_defaults" {
  command = apply

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.Plan.Parameters.Payload.shards == { "shard-0" = ["orders"], "shard-1" = ["payments", "refunds"] }
    error_message = "The planner must receive the configured shards."
  }

  assert {
    condition = alltrue([
      for policy in [local.state_machine_policy, local.planner_policy, local.scheduler_policy] :
      length([
        for statement in jsondecode(policy).Statement : statement
        if contains(statement.Action, "kms:Decrypt") && try(statement.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"], "") == "alias/leanops-test"
      ]) == 1
    ])
    error_message = "Every role must name the stack key through its alias (known at plan time), once."
  }

  assert {
    condition     = strcontains(local.planner_policy, "arn:aws:dynamodb:eu-west-1:123456789012:table/leanops-test-checkpoints") && strcontains(local.state_machine_policy, "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-cycle-planner")
    error_message = "The role policies must name the tables and the planner by ARNs built from their names."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.AcquireLock.Parameters.Item.lock_id.S == "cycle#leanops-test-cycle"
    error_message = "The cycle lock id must be cycle#<state machine name>."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.AcquireLock.Parameters.Item.owner["S.$"] == "$$.Execution.Id"
    error_message = "templatefile must keep the context-object path $$.Execution.Id as the Python test renderer does."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.MaxConcurrency == 2
    error_message = "The Map state must use max_concurrency."
  }

  assert {
    condition     = aws_scheduler_schedule.this[0].schedule_expression == "rate(15 minutes)" && aws_scheduler_schedule.this[0].state == "ENABLED"
    error_message = "A cycle must start every 15 minutes by default."
  }

  assert {
    condition     = aws_dynamodb_table.locks[0].ttl[0].attribute_name == "expires_at" && aws_dynamodb_table.locks[0].hash_key == "lock_id"
    error_message = "The lock table must be keyed by lock_id with a TTL on expires_at."
  }

  assert {
    condition     = aws_dynamodb_table.checkpoints[0].hash_key == "topic" && aws_dynamodb_table.checkpoints[0].range_key == "layer"
    error_message = "The checkpoint table must be keyed by (topic, layer)."
  }

  assert {
    condition = alltrue([
      for table in [aws_dynamodb_table.checkpoints[0], aws_dynamodb_table.locks[0]] :
      table.point_in_time_recovery[0].enabled && table.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    ])
    error_message = "Both tables must have PITR and the customer managed key."
  }

  assert {
    condition     = aws_sns_topic.alerts[0].kms_master_key_id == var.kms_key_alias_name && length(aws_sns_topic_subscription.email) == 1
    error_message = "The alert topic must be encrypted with the key through its alias, with one subscription per e-mail."
  }

  assert {
    condition = alltrue([
      for group in [aws_cloudwatch_log_group.state_machine[0], aws_cloudwatch_log_group.planner[0]] :
      group.kms_key_id == var.kms_key_arn && group.retention_in_days == 365
    ])
    error_message = "Log groups must be KMS-encrypted and keep a year of logs by default."
  }

  assert {
    condition = (
      aws_sfn_state_machine.this[0].logging_configuration[0].level == "ALL"
      && aws_sfn_state_machine.this[0].logging_configuration[0].include_execution_data
      && aws_sfn_state_machine.this[0].tracing_configuration[0].enabled
    )
    error_message = "The state machine must log its full execution history (with execution data) and trace with X-Ray by default."
  }

  assert {
    condition     = aws_lambda_function.planner[0].environment[0].variables.LEANOPS_CONTRACTS_URI == var.contracts_uri && aws_lambda_function.planner[0].handler == "handler.lambda_handler"
    error_message = "The planner must be configured with the contracts location and the handler of build_lambdas.sh."
  }

  assert {
    condition = alltrue(flatten([
      for policy in [aws_iam_role_policy.state_machine[0].policy, aws_iam_role_policy.planner[0].policy, aws_iam_role_policy.scheduler[0].policy] : [
        for statement in jsondecode(policy).Statement : [for action in statement.Action : !endswith(action, "*")]
      ]
    ]))
    error_message = "No IAM action may be a wildcard."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_iam_role_policy.state_machine[0].policy).Statement :
      contains(["LogDelivery", "XRayTracing"], statement.Sid) || !contains(statement.Resource, "*")
    ])
    error_message = "Only the log delivery and X-Ray statements (no resource-level permissions in AWS) may use Resource *."
  }

  assert {
    condition     = contains(jsondecode(aws_iam_role_policy.state_machine[0].policy).Statement[1].Resource, "arn:aws:glue:eu-west-1:123456789012:job/leanops-test-standardized")
    error_message = "The state machine may run exactly the two shard jobs."
  }
}

run "without_an_alias_the_topic_uses_the_key_arn_and_tracing_can_be_off" {
  command = plan

  variables {
    kms_key_alias_name            = null
    state_machine_tracing_enabled = false
  }

  assert {
    condition     = aws_sns_topic.alerts[0].kms_master_key_id == var.kms_key_arn
    error_message = "Without kms_key_alias_name the alert topic must use kms_key_arn."
  }

  assert {
    condition     = !contains([for statement in jsondecode(aws_iam_role_policy.state_machine[0].policy).Statement : statement.Sid], "XRayTracing")
    error_message = "Without tracing the state machine role must not get the X-Ray actions."
  }
}

run "create_false_creates_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) == 0 && length(aws_dynamodb_table.locks) == 0 && output.state_machine_arn == null
    error_message = "create = false must create nothing."
  }
}

run "rejects_a_topic_in_two_shards" {
  command = plan

  variables {
    shards = { shard-0 = ["orders"], shard-1 = ["orders"] }
  }

  expect_failures = [var.shards]
}

run "rejects_an_invalid_schedule" {
  command = plan

  variables {
    schedule_expression = "every 15 minutes"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_maintenance_parallelism_outside_1_to_8" {
  command = plan

  variables {
    maintenance_parallelism = 9
  }

  expect_failures = [var.maintenance_parallelism]
}

run "requires_the_glue_jobs" {
  command = plan

  variables {
    standardized_job_name = null
  }

  expect_failures = [var.standardized_job_name]
}

run "glue_api_errors_are_retried_by_each_task_never_by_the_parallel" {
  command = apply

  variables {
    job_timeout_minutes = 45
  }

  # A retry on the Parallel re-runs its branch from startJobRun: a throttled getJobRun would start a
  # second job run. Each Glue call retries its own transient errors; the Parallel only retries a
  # run that ended failed (as a new run).
  assert {
    condition = alltrue(flatten([
      for layer in ["Standardized", "Curated"] : [
        jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States[layer].Retry[*].ErrorEquals == [["LeanOps.JobRunFailed"]],
        contains(jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States[layer].Branches[0].States["Get${layer}Run"].Retry[0].ErrorEquals, "Glue.ThrottlingException"),
        contains(jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States[layer].Branches[0].States["Get${layer}Run"].Retry[0].ErrorEquals, "Glue.InternalServiceException"),
        contains(jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States[layer].Branches[0].States["Start${layer}Run"].Retry[0].ErrorEquals, "Glue.ThrottlingException"),
        jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States[layer].Branches[0].States["Start${layer}Run"].Retry[1].ErrorEquals == ["Glue.ConcurrentRunsExceededException"],
      ]
    ]))
    error_message = "Each startJobRun and getJobRun task must retry Glue's transient errors itself; the Parallel may retry LeanOps.JobRunFailed only."
  }

  # 2 shards, 2 layers x 3 runs of up to 45 minutes, max_concurrency 2: one wave.
  assert {
    condition     = output.worst_case_history_events <= 20000 && output.job_poll_interval_seconds >= 60
    error_message = "The derived poll interval must keep the worst-case history under the 20,000-event budget (Step Functions quota: 25,000)."
  }

  assert {
    condition     = output.cycle_lock_ttl_seconds == output.worst_case_cycle_seconds && output.worst_case_cycle_seconds > 2 * 3 * 45 * 60
    error_message = "The derived lock TTL must cover the worst-case cycle: 2 layers x 3 runs of 45 minutes, plus polls and retry waits."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).TimeoutSeconds == output.cycle_lock_ttl_seconds
    error_message = "An execution must time out with its lock (TimeoutSeconds = cycle lock TTL)."
  }

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.ProcessShards.ItemProcessor.States.Standardized.Branches[0].States.WaitStandardizedRun.Seconds == output.job_poll_interval_seconds
    error_message = "The Wait states must use the (derived) poll interval."
  }

  assert {
    condition     = aws_lambda_function.planner[0].reserved_concurrent_executions == 2
    error_message = "The planner needs a concurrency limit (checkov CKV_AWS_115)."
  }
}

run "many_shards_slow_down_polling_to_stay_in_the_history_quota" {
  command = plan

  variables {
    shards              = { for index in range(40) : format("auto-%02d", index) => [format("topic_%02d", index)] }
    job_timeout_minutes = 45
    max_concurrency     = 4
  }

  assert {
    condition     = output.worst_case_history_events <= 20000 && output.job_poll_interval_seconds > 60
    error_message = "With 40 shards the derived poll interval must grow so the worst case stays within the history budget."
  }
}

run "a_poll_interval_that_overflows_the_history_quota_is_rejected" {
  command = plan

  variables {
    shards                    = { for index in range(40) : format("auto-%02d", index) => [format("topic_%02d", index)] }
    job_timeout_minutes       = 45
    job_poll_interval_seconds = 30
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "a_lock_ttl_shorter_than_the_worst_case_cycle_is_rejected" {
  command = plan

  variables {
    job_timeout_minutes    = 45
    cycle_lock_ttl_seconds = 3600
  }

  expect_failures = [aws_sfn_state_machine.this]
}
