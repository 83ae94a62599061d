Feature: Glue jobs run on Glue 5.0 with encryption
  The jobs are built and tested for Glue 5.0 (Spark 3.5, Python 3.11, Java 17).

  Scenario: Every Glue job is Glue 5.0
    Given I have aws_glue_job defined
    Then it must contain glue_version
    And its value must be 5.0

  Scenario: Every Glue job runs with a security configuration
    Given I have aws_glue_job defined
    Then it must contain security_configuration
