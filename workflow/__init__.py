"""The domain of itaflow: models, definitions, calendar, services. Never reads the Flask request."""
