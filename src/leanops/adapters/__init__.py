"""I/O adapters of the jobs: S3 contract store, DynamoDB checkpoints and locks, SNS alerts, Iceberg DDL.

The AWS adapters take boto3 clients (created only when none is passed) and never import
pyspark; the Iceberg DDL adapter takes a SparkSession.
"""

from leanops.adapters.alerts import Alerter
from leanops.adapters.aws import AwsClients
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.contract_store import ContractStore
from leanops.adapters.locks import LockStore

__all__ = ["Alerter", "AwsClients", "CheckpointStore", "ContractStore", "LockStore"]
