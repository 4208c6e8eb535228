"""Background duties that keep the queue healthy, one per module (as River's maintenance services)."""
