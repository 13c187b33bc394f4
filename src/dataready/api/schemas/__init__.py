"""Request and response models per resource (``XCreate``, ``XUpdate``, ``XRead``).

ORM classes are never API schemas: responses are built from ORM rows through these models.
"""
