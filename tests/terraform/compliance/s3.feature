Feature: Every bucket is private and encrypted
  The data lake, schemas, Glue assets and Athena results buckets use the stack's KMS key; the
  access-log bucket uses SSE-S3 because S3 server access logging cannot write to SSE-KMS buckets.

  Scenario: Every bucket blocks public access
    Given I have aws_s3_bucket defined
    Then it must contain aws_s3_bucket_public_access_block

  Scenario Outline: Every public access block blocks everything
    Given I have aws_s3_bucket_public_access_block defined
    Then it must contain <setting>
    And its value must be true

    Examples:
      | setting                 |
      | block_public_acls       |
      | block_public_policy     |
      | ignore_public_acls      |
      | restrict_public_buckets |

  Scenario: Every bucket is encrypted by default
    Given I have aws_s3_bucket defined
    Then it must contain aws_s3_bucket_server_side_encryption_configuration

  Scenario: Every data bucket uses the stack's KMS key
    Given I have aws_s3_bucket_server_side_encryption_configuration defined
    When its name metadata is this
    Then it must contain sse_algorithm
    And its value must be aws:kms

  Scenario: Every data bucket names a KMS key
    Given I have aws_s3_bucket_server_side_encryption_configuration defined
    When its name metadata is this
    Then it must contain kms_master_key_id
