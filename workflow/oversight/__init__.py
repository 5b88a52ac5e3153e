"""Oversight: progress at a glance for executives and for parents over their units.

Owns the dashboard's figures (``dashboard``) and the parent's roll-up of its units with its weekly e-mail
(``rollup``). Imports publishing (the roll-up's spreadsheet) and the layers below.
"""
