"""AWS deployment of the generated CloudWatch requests (diff, apply, prune)."""
