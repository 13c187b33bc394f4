"""dataready: catalogue, profile, classify, describe, check and score your databases."""

__version__ = "0.1.0"
