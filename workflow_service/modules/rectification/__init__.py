"""Rectification orders (责令限期整改) and their re-inspection (复查). create_app connects (wiring.py) the
step listener and the task rules."""
