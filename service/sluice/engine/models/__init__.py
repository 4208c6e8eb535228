"""Model providers: which protocol, endpoint and key a node's provider means, and one module per protocol."""
