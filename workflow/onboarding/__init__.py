"""Onboarding: an agency's memo (Word, PDF, scan, text) into a cycle, and one year into the next.

Owns reading a memo's structure (``memotext``, ``memodocx``, ``pdfmemo``), the roles of its columns and labels
(``memolayout``, ``mappings``), reading its measures (``importer`` with ``memo*``), the draft the officer edits
(``drafts``), background reads (``memoimports``), the next year's draft (``nextyear``) and the demo (``demo``).
Offers ``importer.import_memo_text``/``import_file``, ``drafts.*`` and ``nextyear.*``.

Imports the engine (a draft loads through ``instantiate``) and the layers below.
"""
