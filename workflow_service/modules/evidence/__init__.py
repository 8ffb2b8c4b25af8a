"""Evidence files (证据材料): photos, recordings, videos and scans uploaded to a case, with their SHA-256."""
