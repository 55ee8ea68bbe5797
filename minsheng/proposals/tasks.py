"""Task functions for the worker (Django's Tasks API)."""

from django.tasks import task


@task()
def refresh_statistics(term: int | None, session: int | None, date_from: str | None = None,
                       date_to: str | None = None) -> str:
    """Count a statistics scope again after a page found its snapshot out of date (dates as ISO strings)."""
    import datetime as dt

    from .services import statistics_refresh

    return statistics_refresh(term=term, session=session,
                              date_from=dt.date.fromisoformat(date_from) if date_from else None,
                              date_to=dt.date.fromisoformat(date_to) if date_to else None).scope
