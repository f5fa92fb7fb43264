"""Ingestion and storage: files -> line-aware chunks -> embeddings -> Chroma.

Nothing in this package imports ``rag`` or ``ui``: data flows ui -> rag -> index.
"""
