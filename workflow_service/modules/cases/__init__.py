"""Penalty cases (行政处罚案件): filing, the case row kept in step with its process, deadline moves."""
