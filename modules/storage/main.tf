################################################################################
# Buckets (data lake, schemas, glue assets, athena results, access logs)
################################################################################

resource "aws_s3_bucket" "this" {
  for_each = local.buckets_to_make

  #checkov:skip=CKV_AWS_144:Single-region lake by design; Iceberg tables are rebuilt from RAW and versioning protects objects.
  #checkov:skip=CKV2_AWS_62:No consumer of S3 event notifications; the pipeline is driven by SQS and the schedule.
  #checkov:skip=CKV_AWS_18:Every bucket except the access-log bucket logs to it; a log bucket does not log to itself.
  #checkov:skip=CKV_AWS_145:The access-log bucket must use SSE-S3 (S3 server access logging does not support SSE-KMS targets); all others use the KMS key.
  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets_to_make

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets_to_make

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets_to_make

  bucket = aws_s3_bucket.this[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.kms_buckets_made

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this[0].arn
    }
    bucket_key_enabled = true
  }
}

# S3 server access logging only delivers to SSE-S3 buckets, so this one bucket cannot use the key.
resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count = local.create ? 1 : 0

  bucket = aws_s3_bucket.this[local.access_logs_key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each = local.kms_buckets_made

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = aws_s3_bucket.this[local.access_logs_key].id
  target_prefix = "${each.value}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets_to_make

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "noncurrent-versions-and-multipart"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  dynamic "rule" {
    for_each = each.key == local.access_logs_key ? { access-logs = { prefix = "", days = var.access_log_expiration_days } } : local.kms_buckets[each.key].expirations

    content {
      id     = "expire-${rule.key}"
      status = "Enabled"

      filter {
        prefix = rule.value.prefix
      }

      expiration {
        days = rule.value.days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Policies name the buckets by their ARN built from the name, so they are known at plan time.
resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets_to_make

  bucket = aws_s3_bucket.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = ["arn:${var.partition}:s3:::${each.value}", "arn:${var.partition}:s3:::${each.value}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      each.key == local.access_logs_key ? [{
        Sid       = "AllowS3ServerAccessLogs"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "arn:${var.partition}:s3:::${each.value}/*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = var.account_id }
          ArnLike      = { "aws:SourceArn" = [for key, name in local.bucket_names : "arn:${var.partition}:s3:::${name}"] }
        }
      }] : []
    )
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}
