"""Supervisors' statistics (统计): per unit and period, rolled up the unit tree, exportable as CSV and Excel."""
