"""The flow engine: reads Langflow exports and runs their graphs with Sluice's own components."""
