from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.forms import LoginForm
from config.health import healthz

urlpatterns = [
    path("", include("participants.urls")),
    path("facilitate/", include("facilitation.urls")),
    path("frameworks/", include("pillars.urls")),
    path("analyse/", include("synthesis.urls")),
    path("r/", include("synthesis.public_urls")),
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
