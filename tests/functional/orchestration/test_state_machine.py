"""Control flow of the deployed state machine, executed by moto's Step Functions interpreter."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from moto.moto_api import state_manager
from orchestration_harness import (
    API_RETRY_MAX_ATTEMPTS,
    ASL_TEMPLATE,
    CURATED_JOB,
    CYCLE_LOCK_ID,
    LOCK_TABLE,
    RETRY_MAX_ATTEMPTS,
    SEMANTIC_VIEWS,
    STANDARDIZED_JOB,
    Cycle,
    render_definition,
)

SHARD_0 = {"name": "shard-0", "topics": "orders"}
SHARD_1 = {"name": "shard-1", "topics": "payments,refunds"}
JOB_RUN_MODEL = "glue::job_run"


@pytest.fixture
def slow_job_runs() -> Iterator[None]:
    """Glue job runs move STARTING -> RUNNING -> SUCCEEDED one GetJobRun poll at a time."""
    state_manager.set_transition(model_name=JOB_RUN_MODEL, transition={"progression": "manual", "times": 1})
    yield
    state_manager.unset_transition(JOB_RUN_MODEL)


def test_nothing_planned_starts_no_job_and_takes_no_lock(cycle: Cycle) -> None:
    # GIVEN a planner that finds no work (gates closed or no new data)
    cycle.queue_plan([])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN it succeeds without any job run, lock or alert
    assert execution["status"] == "SUCCEEDED"
    assert cycle.job_runs() == []
    assert cycle.lock_item() is None
    assert cycle.alerts() == []
    assert cycle.athena_statements() == []


@pytest.mark.usefixtures("slow_job_runs")
def test_successful_shards_run_both_layers_and_release_the_lock(cycle: Cycle) -> None:
    # GIVEN two shards with work and jobs that succeed after a few polls
    cycle.queue_plan([SHARD_0, SHARD_1])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN each shard ran standardized then curated once, with its topics, and the lock is gone
    assert execution["status"] == "SUCCEEDED"
    assert sorted(cycle.job_runs()) == sorted(
        [
            (job, shard["topics"], "SUCCEEDED")
            for job in (STANDARDIZED_JOB, CURATED_JOB)
            for shard in (SHARD_0, SHARD_1)
        ]
    )
    assert cycle.lock_item() is None
    assert cycle.alerts() == []


def test_a_cycle_with_work_refreshes_every_semantic_view(cycle: Cycle) -> None:
    # GIVEN a shard with work
    cycle.queue_plan([SHARD_0])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN after its runs it (re)created every semantic view in the workgroup
    assert execution["status"] == "SUCCEEDED"
    assert cycle.athena_statements() == [SEMANTIC_VIEWS[view] for view in sorted(SEMANTIC_VIEWS)]


def test_failed_job_is_retried_then_alerts_fails_and_releases_the_lock(cycle: Cycle) -> None:
    # GIVEN two shards, and standardized runs of shard-0's topics that always fail
    cycle.failing_topics.add(SHARD_0["topics"])
    cycle.queue_plan([SHARD_0, SHARD_1])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN shard-0's standardized job was retried and its curated job never started ...
    runs = cycle.job_runs()
    assert runs.count((STANDARDIZED_JOB, SHARD_0["topics"], "FAILED")) == 1 + RETRY_MAX_ATTEMPTS
    assert (CURATED_JOB, SHARD_0["topics"], "SUCCEEDED") not in runs
    # ... shard-1 still ran both layers ...
    assert (STANDARDIZED_JOB, SHARD_1["topics"], "SUCCEEDED") in runs
    assert (CURATED_JOB, SHARD_1["topics"], "SUCCEEDED") in runs
    # ... one alert names the failed shard and layer, the execution failed, the lock is released
    [alert] = cycle.alerts()
    summary = json.loads(alert.split(" failed: ", 1)[1])
    assert summary["any_failed"] is True
    assert [shard for shard in summary["shards"] if shard["failed"]] == [
        {
            "shard": "shard-0",
            "topics": "orders",
            "failed": True,
            "layer": "standardized",
            "error": "LeanOps.JobRunFailed",
        }
    ]
    assert execution["status"] == "FAILED"
    assert execution["error"] == "LeanOps.CycleFailed"
    assert cycle.lock_item() is None


def test_get_job_run_throttled_once_starts_exactly_one_run(cycle: Cycle) -> None:
    # GIVEN one shard, and Glue throttling the first getJobRun poll
    cycle.fail_glue_calls("get_job_run", "ThrottlingException")
    cycle.queue_plan([SHARD_0])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN the poll was retried by its own task: exactly one startJobRun per layer, no alert
    assert execution["status"] == "SUCCEEDED"
    assert cycle.job_runs() == [
        (STANDARDIZED_JOB, SHARD_0["topics"], "SUCCEEDED"),
        (CURATED_JOB, SHARD_0["topics"], "SUCCEEDED"),
    ]
    assert cycle.alerts() == []
    assert cycle.lock_item() is None


def test_transient_poll_errors_let_the_shard_go_on(cycle: Cycle) -> None:
    # GIVEN one shard, and Glue failing polls transiently (internal error, then a timeout)
    cycle.fail_glue_calls("get_job_run", "InternalServiceException", "OperationTimeoutException")
    cycle.queue_plan([SHARD_0])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN the shard went on with its one run per layer and the cycle succeeded
    assert execution["status"] == "SUCCEEDED"
    assert [job for job, _, _ in cycle.job_runs()] == [STANDARDIZED_JOB, CURATED_JOB]
    assert cycle.alerts() == []


def test_refused_starts_are_retried_by_their_task(cycle: Cycle) -> None:
    # GIVEN Glue refusing the first startJobRun calls (throttled, then the job's run slots busy)
    cycle.fail_glue_calls("start_job_run", "ThrottlingException", "ConcurrentRunsExceededException")
    cycle.queue_plan([SHARD_0])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN the start was retried and each layer ran once
    assert execution["status"] == "SUCCEEDED"
    assert [job for job, _, _ in cycle.job_runs()] == [STANDARDIZED_JOB, CURATED_JOB]


def test_polls_failing_beyond_their_retries_fail_the_shard_without_a_second_run(cycle: Cycle) -> None:
    # GIVEN Glue throttling every getJobRun of the standardized run, beyond the poll's retries
    cycle.fail_glue_calls("get_job_run", *["ThrottlingException"] * (1 + API_RETRY_MAX_ATTEMPTS))
    cycle.queue_plan([SHARD_0])
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN the shard failed on the throttling, its run was never started again, the lock is released
    assert [job for job, _, _ in cycle.job_runs()] == [STANDARDIZED_JOB]
    [alert] = cycle.alerts()
    assert '"error":"Glue.ThrottlingException"' in alert.replace(" ", "")
    assert execution["status"] == "FAILED"
    assert cycle.lock_item() is None


def test_lock_held_by_another_cycle_runs_nothing_and_keeps_that_lock(cycle: Cycle) -> None:
    # GIVEN another execution holding an unexpired cycle lock
    planned_at = int(time.time())
    other_lock = {
        "lock_id": {"S": CYCLE_LOCK_ID},
        "owner": {"S": "arn:aws:states:eu-west-1:123456789012:execution:other"},
        "expires_at": {"N": str(planned_at + 600)},
    }
    cycle.dynamodb.put_item(TableName=LOCK_TABLE, Item=other_lock)
    cycle.queue_plan([SHARD_0], planned_at=planned_at)
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN it ends without running a job and the other execution's lock is untouched
    assert execution["status"] == "SUCCEEDED"
    assert cycle.job_runs() == []
    assert cycle.lock_item() == other_lock
    assert cycle.alerts() == []


def test_expired_lock_of_a_dead_cycle_is_taken_over(cycle: Cycle) -> None:
    # GIVEN a lock left behind by a cycle that died an hour ago
    planned_at = int(time.time())
    stale_lock = {
        "lock_id": {"S": CYCLE_LOCK_ID},
        "owner": {"S": "arn:aws:states:eu-west-1:123456789012:execution:dead"},
        "expires_at": {"N": str(planned_at - 1)},
    }
    cycle.dynamodb.put_item(TableName=LOCK_TABLE, Item=stale_lock)
    cycle.queue_plan([SHARD_0], planned_at=planned_at)
    # WHEN a cycle runs
    execution = cycle.run()
    # THEN it runs the shard and releases the lock it took
    assert execution["status"] == "SUCCEEDED"
    assert [job for job, _, _ in cycle.job_runs()] == [STANDARDIZED_JOB, CURATED_JOB]
    assert cycle.lock_item() is None


def test_template_renders_to_valid_json_with_every_placeholder_filled() -> None:
    # GIVEN the template Terraform renders with templatefile
    values: dict[str, object] = {
        name: 1
        for name in ("max_concurrency", "cycle_lock_ttl_seconds", "job_poll_interval_seconds")
        + ("job_retry_interval_seconds", "job_retry_max_attempts")
        + ("glue_api_retry_interval_seconds", "glue_api_retry_max_attempts")
    }
    names = (
        "planner_function_arn",
        "lock_table_name",
        "cycle_lock_id",
        "alert_topic_arn",
        "athena_workgroup",
    )
    values |= {name: "x" for name in names + ("standardized_job_name", "curated_job_name")}
    values["shards_json"] = json.dumps({"shard-0": ["orders"]})
    values["semantic_views_json"] = json.dumps([])
    # WHEN rendered
    definition = json.loads(render_definition(values))
    # THEN it is JSON whose planner input carries the configured shards
    assert definition["States"]["Plan"]["Parameters"]["Payload"]["shards"] == {"shard-0": ["orders"]}
    assert "%{" not in ASL_TEMPLATE.read_text(encoding="utf-8")
