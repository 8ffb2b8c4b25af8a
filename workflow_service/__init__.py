"""Workflow service for safety-production enforcement cases (安全生产执法案件办理)."""
