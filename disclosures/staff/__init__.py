"""The staff side: the admin, change history, previews and the workbook import views.

Every door here goes through disclosures/roles.py.
"""
