from accounts.models import AuditEntry


def record(action, target, *, actor=None, workshop_id=None, organisation=None, **detail):
    """Add an audit entry for `target` (a model instance); `detail` must hold no one's words."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        workshop_id=workshop_id
        if workshop_id is not None
        else getattr(target, "workshop_id", None),
        organisation=organisation,
        detail=detail,
    )
