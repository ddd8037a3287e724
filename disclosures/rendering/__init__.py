"""Turning a disclosure into what people read: the computed text, charts, the PDF,
CSV and JSON exports, and the stored files of a published revision.

All of them start from the specs (disclosures/specs/), never from the models directly.
"""
