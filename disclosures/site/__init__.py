"""The public site: pages, the API, their cache and the read queries behind them.

Everything here reads published revisions only (queries.public_disclosures).
"""
