"""Operations: keeping an installation safe to run unattended.

`backups`: the daily copy of the live database into BACKUP_DIR, rotated to BACKUP_KEEP.
"""
