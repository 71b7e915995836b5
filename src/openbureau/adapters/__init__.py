"""Adapters: database tables and repositories, file formats, PDF, audit chain, PII crypto."""
