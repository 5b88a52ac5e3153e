"""Documents and publication: what leaves the system for readers outside it.

Owns the PDFs (``documents``, with ``pdffonts``), spreadsheets (``exports``), calendar feeds (``feeds``), the
public pages and their links (``publication``, ``linkcheck``), the ITAS answer sheet (``answersheet``), the
OIT items' work and the evidence attached to steps (``oitwork``, ``evidence``).

Imports the engine and the layers below it.
"""
