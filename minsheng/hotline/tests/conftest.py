import pytest


@pytest.fixture
def places(db):
    from .factories import geo

    return geo()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Month-wide figures are cached (selectors.cached); each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
