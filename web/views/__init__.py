"""Blueprints: thin views that call one workflow service, commit, and render."""
