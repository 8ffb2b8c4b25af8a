"""Inspections (监督检查), the hidden-danger ledger (隐患台账) and the facts the departments' statistics are read
from (inspection_facts). create_app connects (wiring.py) the step handlers, the task rules and the statistics."""
