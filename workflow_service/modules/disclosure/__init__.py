"""Disclosure of penalty decisions (行政执法公示). create_app connects (wiring.py) its step listener and task rules."""
