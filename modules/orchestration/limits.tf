################################################################################
# Worst case of one cycle: execution history events and duration
#
# Every shard runs standardized then curated; each layer is up to 1 + job_retry_max_attempts runs
# (a run that ended failed is retried as a new run), each polled until it ends, at the latest at
# the Glue job timeout. The worst case is every run of every shard timing out.
#
# * History: an execution's history holds at most 25,000 events, a hard quota (Step Functions
#   developer guide, "Step Functions service quotas", quotas related to state machine executions:
#   maximum execution history size); inline Map iterations record their events in the parent
#   execution. The worst case must stay within history_event_budget, far under the quota.
# * Duration: the cycle lock must outlive the longest cycle, or a second cycle could start while
#   the first still runs jobs; the execution's TimeoutSeconds equals the lock TTL, so an execution
#   never outlives its lock.
################################################################################

locals {
  history_event_quota  = 25000
  history_event_budget = 20000

  # Events Step Functions records, per element of state_machine.asl.json:
  events_per_poll      = 9  # Wait (entered, exited), GetJobRun task (entered, scheduled, started, succeeded, exited), Choice (entered, exited)
  events_per_api_retry = 3  # a retried task attempt: scheduled, started, failed
  events_per_run       = 9  # startJobRun task (5), the branch's Succeed or Fail state (2), the Parallel's retry (2)
  events_per_layer     = 4  # Parallel entered, started, succeeded or failed, exited
  events_per_shard     = 4  # Map iteration started and succeeded, the shard's closing Pass (entered, exited)
  events_per_cycle     = 80 # execution, Plan (with its retries), HasWork, AcquireLock, Map, Summarize, ReleaseLock, AnyFailed, Alert (with retries)

  layers              = 2
  shard_count         = max(1, length(var.shards))
  runs_per_layer      = 1 + var.job_retry_max_attempts
  runs_per_cycle      = local.shard_count * local.layers * local.runs_per_layer
  job_timeout_seconds = var.job_timeout_minutes * 60

  # Per run, besides its polls: its start retried on throttling and on a busy job slot, and one
  # poll whose transient-error retries all ran out before the next succeeded.
  fixed_events_per_run = local.events_per_run + local.events_per_api_retry * (2 * var.glue_api_retry_max_attempts + var.job_retry_max_attempts)
  fixed_events_per_cycle = (
    local.events_per_cycle
    + local.shard_count * (local.events_per_shard + local.layers * local.events_per_layer)
    + local.runs_per_cycle * local.fixed_events_per_run
  )

  # Derived poll interval: the polls the budget leaves per run (a run of T seconds polled every P
  # seconds is polled at most ceil(T / P) + 1 times), never more often than once a minute.
  min_poll_interval_seconds = 60
  polls_per_run_budget      = floor((local.history_event_budget - local.fixed_events_per_cycle) / (local.runs_per_cycle * local.events_per_poll))
  derived_poll_interval     = local.polls_per_run_budget >= 2 ? ceil(local.job_timeout_seconds / (local.polls_per_run_budget - 1)) : local.job_timeout_seconds
  job_poll_interval_seconds = coalesce(var.job_poll_interval_seconds, max(local.min_poll_interval_seconds, local.derived_poll_interval))

  polls_per_run             = ceil(local.job_timeout_seconds / local.job_poll_interval_seconds) + 1
  worst_case_history_events = local.fixed_events_per_cycle + local.runs_per_cycle * local.polls_per_run * local.events_per_poll

  # Duration: retry waits double from their interval (BackoffRate 2): n retries wait interval * (2^n - 1).
  api_retry_wait_seconds      = var.glue_api_retry_interval_seconds * (pow(2, var.glue_api_retry_max_attempts) - 1)
  job_retry_wait_seconds      = var.job_retry_interval_seconds * (pow(2, var.job_retry_max_attempts) - 1)
  planner_retry_wait_seconds  = 2 + 4 + 8 # Plan: 3 retries from 2 s
  cycle_overhead_seconds      = 300       # lock, summary, release and alert with their retries
  run_seconds                 = local.job_timeout_seconds + local.job_poll_interval_seconds + 2 * local.api_retry_wait_seconds + local.job_retry_wait_seconds
  shard_seconds               = local.layers * (local.runs_per_layer * local.run_seconds + local.job_retry_wait_seconds)
  shard_waves                 = ceil(local.shard_count / var.max_concurrency)
  planner_seconds             = 4 * var.planner_timeout_seconds + local.planner_retry_wait_seconds
  worst_case_cycle_seconds    = local.planner_seconds + local.shard_waves * local.shard_seconds + local.cycle_overhead_seconds
  cycle_lock_ttl_seconds      = coalesce(var.cycle_lock_ttl_seconds, local.worst_case_cycle_seconds)
  max_execution_duration_secs = 31536000 # a Standard workflow execution runs at most one year (Step Functions service quotas)
}
