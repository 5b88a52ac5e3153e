"""Alerts and channels: what is said to people and how it reaches them.

Owns the alert rules of time (``alerts``: office hours, the moment a message may leave, the timers of a step
and of the weekly roll-up), the wording in Thai and English (``wording``), the outbox and e-mail (``notify``
queues, ``mailer`` sends), and LINE (``lineapi`` speaks the Messaging API, ``linebind`` binds groups and people
through the webhook, ``lineout`` pushes). Offers the others ``notify.queue``/``queue_each``, the step events
(``notify.step_opened``, ``sent_back``, ``approved``...) and ``lineout.step_event``.

Imports only the foundation (``workflow.db``, ``models``, ``audit``, ``calendar``, ``thaidate``...): it knows
nothing of who may act or of the engine that decides what happened; the engine calls it.
"""
