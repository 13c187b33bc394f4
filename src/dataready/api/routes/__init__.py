"""Routes per resource; :func:`dataready.api.app.create_app` includes them in order."""
