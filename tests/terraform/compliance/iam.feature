Feature: IAM grants least privilege
  No IAM policy of the stack grants every action (of a service), and no statement that touches
  data (S3, Glue, DynamoDB, SQS, Firehose, KMS, SNS, Lambda, Athena) allows every resource.

  Scenario Outline: No policy grants "*" or "<service>:*" actions
    Given I have <resource> defined
    When it has policy
    And it has Statement
    Then it must contain Action
    And its value must not match the "^([a-z0-9-]+:)?\*$" regex

    Examples:
      | resource            |
      | aws_iam_role_policy |
      | aws_iam_policy      |
