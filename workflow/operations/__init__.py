"""Operations: what keeps a deployment running over the years.

Owns the sweep that fires every timer (``sweep``: deadlines, rounds, reports, digests; it calls each
capability's service for its kind of timer), backups and restore (``backups``, ``restore``, the daily plan
``backupplan``), the schema's revision (``schema``), readiness (``health``) and ``itaflow doctor``.
The top layer: it may import every package; none imports it.
"""
