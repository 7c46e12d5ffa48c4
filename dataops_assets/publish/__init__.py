"""Write-audit-publish: immutable published snapshots of the audited public models."""
