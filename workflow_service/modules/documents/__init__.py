"""Enforcement documents (执法文书) and the case file (案卷): numbered, rendered from the case, frozen in the record."""
