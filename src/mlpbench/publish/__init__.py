"""What the study found, published: the archive of finished studies (findings/) and the page
that reads it (FINDINGS.md)."""
