"""Legal review sign-off (法制审核) and the case review committee's vote (案件审查委员会集体讨论); their task
rules and guards are connected by create_app (wiring.py)."""
