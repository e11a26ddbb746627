"""What the report shows: figures and tables drawn from saved results only, and its check."""
