from django.urls import path

from facilitation import views

app_name = "facilitation"

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("start/", views.staff_home, name="staff_home"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("workshops/<int:pk>/", views.console, name="console"),
    path("workshops/<int:pk>/status/", views.workshop_status, name="workshop_status"),
    path("workshops/<int:pk>/close/", views.workshop_close, name="workshop_close"),
    path("workshops/<int:pk>/premoderation/", views.workshop_premoderation, name="premoderation"),
    path(
        "workshops/<int:pk>/easy-read-default/",
        views.workshop_easy_read_default,
        name="easy_read_default",
    ),
    path("workshops/<int:pk>/spotlight/", views.spotlight, name="spotlight"),
    path("workshops/<int:pk>/scribe/", views.scribe, name="scribe"),
    path("workshops/<int:pk>/prompts/", views.prompts_edit, name="prompts_edit"),
    path(
        "workshops/<int:pk>/prompts/<int:prompt_id>/toggle/",
        views.prompt_toggle,
        name="prompt_toggle",
    ),
    path(
        "workshops/<int:pk>/prompts/<int:prompt_id>/timer/", views.prompt_timer, name="prompt_timer"
    ),
    path(
        "workshops/<int:pk>/contributions/<int:contribution_id>/moderate/",
        views.contribution_moderate,
        name="contribution_moderate",
    ),
    path(
        "workshops/<int:pk>/contributions/<int:contribution_id>/edit/",
        views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "workshops/<int:pk>/contributions/<int:contribution_id>/merge/",
        views.contribution_merge,
        name="contribution_merge",
    ),
    path(
        "workshops/<int:pk>/contributions/<int:contribution_id>/alike/",
        views.merge_candidates,
        name="merge_candidates",
    ),
    path(
        "workshops/<int:pk>/contributions/<int:contribution_id>/release/",
        views.contribution_release,
        name="contribution_release",
    ),
    path(
        "workshops/<int:pk>/participants/<int:participant_id>/erase/",
        views.participant_erase,
        name="participant_erase",
    ),
    path("workshops/<int:pk>/wall/", views.wall, name="wall"),
    path("workshops/<int:pk>/wall/pause/", views.wall_pause, name="wall_pause"),
    path("workshops/<int:pk>/wall/show/", views.wall_show, name="wall_show"),
    path("workshops/<int:pk>/qr.svg", views.qr_code, name="qr_code"),
    path("workshops/<int:pk>/results-qr.svg", views.results_qr_code, name="results_qr_code"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path(
        "organisations/<int:pk>/members/<int:user_id>/",
        views.member_roles,
        name="member_roles",
    ),
    path("organisations/<int:pk>/audit/", views.organisation_audit, name="organisation_audit"),
]
