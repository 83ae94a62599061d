Feature: Every topic queue is protected by a dead-letter queue and partial batch failures
  Messages that cannot be delivered must end in a DLQ (archived to dlq_errors), and one bad
  message must never make SQS retry its whole batch.

  Scenario: Every topic queue redrives to a DLQ
    Given I have aws_sqs_queue defined
    When its name is not ".*-dlq$" regex
    Then it must contain redrive_policy
    And it must contain deadLetterTargetArn
    And its value must match the "^arn:aws[a-z-]*:sqs:.+-dlq$" regex

  Scenario: Every queue is encrypted with the stack's KMS key
    Given I have aws_sqs_queue defined
    Then it must contain kms_master_key_id
    And its value must match the "^alias/.+" regex

  Scenario: Every SQS event source mapping reports batch item failures
    Given I have aws_lambda_event_source_mapping defined
    Then it must contain function_response_types
    And its value must contain ReportBatchItemFailures
