"""Staff sign-in beyond the password form: password reset (Django's views, under Django's
own URL names, which its templates and emails use: hence no namespace) and two-step
sign-in."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("two-step/", views.two_factor_setup, name="two_factor_setup"),
    path("two-step/code/", views.two_factor_verify, name="two_factor_verify"),
    path("two-step/turn-off/", views.two_factor_disable, name="two_factor_disable"),
]
