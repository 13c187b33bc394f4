"""Pure SQL construction per dialect: statements are built here and executed elsewhere."""
