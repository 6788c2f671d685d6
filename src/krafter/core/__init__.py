"""Small shared pieces every layer may use: error types and well-known paths."""
