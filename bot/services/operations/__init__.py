"""Operations: keeping an installation safe to run unattended.

`backups`: the daily copy of the live database into BACKUP_DIR, rotated to BACKUP_KEEP.
`retention`: `RetentionService` keeps the database bounded: per-message records older than
RETENTION_DAYS are compacted into per-article totals (statistics stay exact) and expired rows
of every table are pruned, in small batches, daily and on demand (`newsbot prune`).
"""
