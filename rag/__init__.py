"""Retrieval and answering: question -> passages -> LLM -> cited ``Answer``."""
