from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import Role, admin_required, organisations_of
from pillars.forms import FrameworkForm, PillarFormSet, RecommendationFormSet
from pillars.models import Framework


def frameworks_of(user):
    """Organisation admins manage their own organisations' frameworks."""
    return Framework.objects.filter(organisation__in=organisations_of(user, Role.ADMIN))


@require_GET
@admin_required
def framework_list(request):
    frameworks = frameworks_of(request.user).prefetch_related("pillars__recommendations")
    return render(request, "pillars/framework_list.html", {"frameworks": frameworks})


@require_http_methods(["GET", "POST"])
@admin_required
def framework_edit(request, pk):
    """Titles, summaries, Easy Read text and which pillar each recommendation sits under."""
    framework = get_object_or_404(frameworks_of(request.user), pk=pk)
    data = request.POST or None
    form = FrameworkForm(data, instance=framework)
    pillars = PillarFormSet(data, instance=framework, prefix="pillars")
    recommendations = RecommendationFormSet(
        data,
        queryset=framework.recommendations(),
        prefix="recommendations",
        form_kwargs={"framework": framework},
    )
    forms = [form, pillars, recommendations]
    if request.method == "POST" and all(f.is_valid() for f in forms):
        with transaction.atomic():
            for f in forms:
                f.save()
        messages.success(request, "Framework saved.")
        return redirect(framework)
    context = {
        "framework": framework,
        "form": form,
        "pillars": pillars,
        "recommendations": recommendations,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "pillars/framework_edit.html", context, status=status)
