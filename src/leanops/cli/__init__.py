"""The operator CLI: one command set, two targets (the local emulation and a deployed stack).

``main`` parses and dispatches; ``local_target`` runs each command over ``leanops.local``'s
emulation, ``aws_target`` over a deployed environment (Terraform outputs + boto3); ``full`` is the
local end-to-end check. The emulation (``leanops.local``) never imports this package.
"""
