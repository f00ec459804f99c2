"""qstrong."""
