terraform {
  # 1.9+: variable validations refer to the topic-name rule read from schemas/tables.json.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "= 5.100.0"
    }
  }
}
