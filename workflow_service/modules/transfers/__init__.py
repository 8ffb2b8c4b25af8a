"""Transfers of suspected crimes to the police (行刑衔接) and crime screening. create_app connects (wiring.py)
the step listeners and the task rules."""
