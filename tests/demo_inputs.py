"""What the demo street's published forms ask of a test that records through the real services.

The demo publishes an income.extra form whose receipt number and payer type are required, so every
income recorded in a demo community carries them, exactly as a person filling the page would.
"""

INCOME_EXTRA = {"receipt_no": "SP-SJ-TEST-0001", "payer_type": "enterprise"}
