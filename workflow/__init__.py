"""The domain of itaflow: every rule and every change of state, as services that take ids, the actor and ``now``
and never read the Flask request (ARCHITECTURE.md has the map).

Packages by capability, in layers (each imports only those below it; import-linter's contracts in
pyproject.toml): ``operations`` > ``onboarding`` > ``oversight`` > ``publishing`` > ``engine`` > ``people`` >
``channels`` > the foundation modules here at the root: ``db``, ``models``, ``audit``, ``calendar``,
``thaidate``, ``vocabulary``, ``clock``, ``errors``, ``steprows``, ``acting``, ``secretbox``, ``templating``.
"""
