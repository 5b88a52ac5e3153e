"""The engine: a memo's measures as workflows of ordered steps, and their year.

Owns the definitions document (``definitions``, ``yamlsource``), loading it into a cycle (``instantiate``), the
one place a step changes state (``transitions``) and the secretariat's edits (``stepedits``), the monitoring
rounds (``rounds``, ``monitoring``), the OIT frameworks (``frameworks``), absences and who acts meanwhile
(``absences``; the rule itself is ``workflow.acting``, below every package), and the reads every page makes
of them (``status``, ``queries``). Offers the others the transitions (services that take ids, the actor and
``now``) and those reads.

Imports the foundation, ``workflow.people`` (who may act) and ``workflow.channels`` (what to tell whom).
"""
