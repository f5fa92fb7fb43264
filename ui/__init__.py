"""Callers of ``rag`` and ``index``: the command line, the Gradio chat, the server."""
