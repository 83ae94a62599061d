################################################################################
# DynamoDB: checkpoints (topic, layer) and locks (lock_id, TTL on expires_at)
################################################################################

resource "aws_dynamodb_table" "checkpoints" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_119:server_side_encryption uses the stack's customer managed key; checkov fails it only because the key ARN is computed (unknown in the plan).
  name                        = local.checkpoint_table
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "topic"
  range_key                   = "layer"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "topic"
    type = "S"
  }

  attribute {
    name = "layer"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "locks" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_119:server_side_encryption uses the stack's customer managed key; checkov fails it only because the key ARN is computed (unknown in the plan).
  name                        = local.lock_table
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "lock_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "lock_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
