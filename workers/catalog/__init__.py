"""The catalog: articles, their revisions and paragraphs, and conversion jobs.

It, not Celery's result backend, is the source of truth for job state and progress.
"""
