from django.db.models import Count

from workshops.models import JOIN_CODE_ALPHABET, Workshop


def short_address(url):
    """A web address as people type it, short enough for one line: no scheme, no "www.",
    no slash at the end."""
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")


def normalise_join_code(code):
    """Codes are forgiving to type: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def workshop_by_code(code):
    code = normalise_join_code(code)
    if not code or any(ch not in JOIN_CODE_ALPHABET for ch in code):
        return None
    return Workshop.objects.select_related("series").filter(join_code=code).first()


def series_with_counts(series):
    return series.select_related("framework", "organisation").annotate(
        workshop_count=Count("workshops", distinct=True)
    )
