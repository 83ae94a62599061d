# Lake Formation grants on (no environment turns them on): planned over an environment's tfvars by
# tests/terraform/test_lake_formation_plan.py (scripts/terraform_offline.sh plan <env>+lake_formation).
enable_lake_formation_grants = true
lake_formation_analyst_arns  = ["arn:aws:iam::111111111111:role/analysts"]
