from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    cache.set("healthz", "ok", timeout=5)
    if cache.get("healthz") != "ok":
        raise ConnectionError("Redis did not return what was stored")


@require_GET
@never_cache
def healthz(request):
    """200 when this web process can reach its database (and Redis, when configured)."""
    checks = {"database": _database}
    if settings.REDIS_URL:
        checks["redis"] = _redis
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:
            results[name] = f"unreachable: {type(error).__name__}"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **results}, status=200 if healthy else 503
    )
