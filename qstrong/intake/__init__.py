"""Department intake: Excel templates made from the catalog, and validated loading of what comes back."""
