"""Sluice: Langflow flows as durable jobs on PostgreSQL, served through the Workflow API (v2)."""
