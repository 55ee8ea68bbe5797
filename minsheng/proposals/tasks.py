"""Task functions for the worker (Django's Tasks API)."""

from django.tasks import task


@task()
def refresh_statistics(term: int | None, session: int | None) -> str:
    """Count a statistics scope again after a page found its snapshot out of date."""
    from .services import statistics_refresh

    return statistics_refresh(term=term, session=session).scope
