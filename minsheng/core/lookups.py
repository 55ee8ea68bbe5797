"""Turn ids from API input into objects, naming the field and the unknown ids when some do not exist."""

from __future__ import annotations

from django.db import models

from .errors import Invalid


def objects_by_ids(model: type[models.Model], ids: list[int] | None, field: str) -> list:
    """The objects of `model` with these ids, in the order given; 422 naming `field` if any is unknown."""
    if not ids:
        return []
    found = {o.pk: o for o in model._default_manager.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(f"Unknown {field}: {missing}", fields={field: f"unknown ids {missing}"})
    return [found[i] for i in ids]


def object_by_id(model: type[models.Model], pk: int | None, field: str):
    """One object, or None when no id is given; 422 naming `field` if the id is unknown."""
    return objects_by_ids(model, [pk], field)[0] if pk else None


def is_uuid(value: str) -> bool:
    """Whether `value` reads as a UUID (job ids): a lookup with anything else would be a database error."""
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
