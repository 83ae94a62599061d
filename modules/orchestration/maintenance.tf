################################################################################
# Table maintenance: EventBridge Scheduler starts the maintenance Glue job once a day
#
# A universal target (EventBridge Scheduler User Guide, "Using universal targets":
# arn:aws:scheduler:::aws-sdk:<service>:<apiAction>, Input = the API's request as JSON, the role
# allowed to call it) calls Glue StartJobRun directly: no state machine is needed, since the job
# takes each topic's lock itself (and the cycle lock for the shared tables), so it never runs
# beside a cycle on a topic; a locked topic is skipped and reported, and maintained the next day.
################################################################################

locals {
  create_maintenance_schedule = local.create && var.maintenance_job_name != null
  maintenance_job_arn         = "${local.glue_prefix}:job/${coalesce(var.maintenance_job_name, "unset")}"
  # rate(<n> <unit>) -> seconds; null for a cron expression (the job then assumes its default, 15 min).
  rate_match = regexall("^rate\\(([0-9]+) (minute|minutes|hour|hours|day|days)\\)$", var.schedule_expression)
  cycle_interval_seconds = length(local.rate_match) == 0 ? null : tonumber(local.rate_match[0][0]) * lookup(
    { minute = 60, minutes = 60, hour = 3600, hours = 3600, day = 86400, days = 86400 }, local.rate_match[0][1]
  )
  # Keys of src/leanops/maintenance_plan.py; the job's default arguments hold the state tables.
  maintenance_arguments = merge(
    {
      "--LEANOPS_SNAPSHOT_RETENTION_HOURS" = tostring(var.snapshot_retention_hours)
      "--LEANOPS_CYCLE_LOCK_ID"            = local.cycle_lock_id
      "--LEANOPS_LONGEST_JOB_MINUTES"      = tostring(var.job_timeout_minutes)
      "--LEANOPS_MAINTENANCE_PARALLELISM"  = tostring(var.maintenance_parallelism)
    },
    local.cycle_interval_seconds == null ? {} : { "--LEANOPS_CYCLE_INTERVAL_SECONDS" = tostring(local.cycle_interval_seconds) },
  )
}

resource "aws_scheduler_schedule" "maintenance" {
  count = local.create_maintenance_schedule ? 1 : 0

  #checkov:skip=CKV_AWS_297:The key ARN is computed (unknown in the plan) and Scheduler accepts no alias; kms_key_arn is the stack key (as the cycle schedule).
  name                         = "${var.name_prefix}-maintenance"
  description                  = "Starts Lean-Ops table maintenance (${var.maintenance_schedule_expression})."
  schedule_expression          = var.maintenance_schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = "arn:${var.partition}:scheduler:::aws-sdk:glue:startJobRun"
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ JobName = var.maintenance_job_name, Arguments = local.maintenance_arguments })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }
  }

  lifecycle {
    precondition {
      condition     = local.cycle_interval_seconds == null || var.snapshot_retention_hours * 3600 > coalesce(local.cycle_interval_seconds, 0)
      error_message = "snapshot_retention_hours (${var.snapshot_retention_hours} h) must be longer than the cycle interval (${var.schedule_expression}): a snapshot the next cycle still reads must not be expired."
    }
  }
}
