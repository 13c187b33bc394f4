"""Pure domain types: enums, FQNs, tenants, built-in definitions."""
