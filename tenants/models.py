"""Brands (tenants), members, roles, API keys, audit log and tenant scoping."""
