from django.urls import path

from synthesis import views

app_name = "synthesis"

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("series/<int:pk>/", views.series_board, name="series_board"),
    path("workshops/<int:pk>/", views.workshop_board, name="workshop_board"),
    path("series/<int:pk>/contributions/", views.series_contributions, name="series_contributions"),
    path("series/<int:pk>/judge/<str:kind>/<int:item_pk>/", views.judge, name="judge"),
    path(
        "series/<int:pk>/report-choice/<str:kind>/<int:item_pk>/",
        views.report_choice,
        name="report_choice",
    ),
    path(
        "series/<int:pk>/judgements/<int:judgement_id>/withdraw/",
        views.judgement_withdraw,
        name="judgement_withdraw",
    ),
    path("series/<int:pk>/themes/", views.themes, name="themes"),
    path("series/<int:pk>/meanings/", views.meanings, name="meanings"),
    path(
        "series/<int:pk>/suggestions/dismiss/",
        views.suggestion_dismiss,
        name="suggestion_dismiss",
    ),
    path(
        "series/<int:pk>/similar/<int:contribution_pk>/",
        views.similar_posts,
        name="similar_posts",
    ),
    path("series/<int:pk>/themes/<int:theme_id>/", views.theme_edit, name="theme_edit"),
    path("series/<int:pk>/themes/<int:theme_id>/delete/", views.theme_delete, name="theme_delete"),
    path("series/<int:pk>/findings/", views.findings, name="findings"),
    path("series/<int:pk>/report-text/", views.report_text, name="report_text"),
    path(
        "workshops/<int:pk>/report-text/",
        views.workshop_report_text,
        name="workshop_report_text",
    ),
    path("series/<int:pk>/versions/", views.report_versions, name="report_versions"),
    path(
        "series/<int:pk>/versions/<int:number>/report.pdf",
        views.report_version_file,
        name="report_version_file",
    ),
    path(
        "series/<int:pk>/versions/<int:number>/easy-read.pdf",
        views.report_version_file,
        {"easy_read": True},
        name="report_version_easy_read_file",
    ),
    path("series/<int:pk>/findings/<int:finding_id>/", views.finding_edit, name="finding_edit"),
    path(
        "series/<int:pk>/findings/<int:finding_id>/delete/",
        views.finding_delete,
        name="finding_delete",
    ),
    path(
        "series/<int:pk>/findings/<int:finding_id>/responses/new/",
        views.finding_response_add,
        name="finding_response_add",
    ),
    path(
        "series/<int:pk>/responses/<int:response_id>/",
        views.finding_response_edit,
        name="finding_response_edit",
    ),
    path(
        "series/<int:pk>/responses/<int:response_id>/delete/",
        views.finding_response_delete,
        name="finding_response_delete",
    ),
    path(
        "series/<int:pk>/versions/<int:number>/publish/",
        views.report_version_publish,
        name="report_version_publish",
    ),
    path(
        "series/<int:pk>/versions/<int:number>/unpublish/",
        views.report_version_unpublish,
        name="report_version_unpublish",
    ),
    path("series/<int:pk>/opinion-map/", views.series_opinion_map, name="series_opinion_map"),
    path(
        "workshops/<int:pk>/opinion-map/",
        views.workshop_opinion_map,
        name="workshop_opinion_map",
    ),
    path("series/<int:pk>/exports/", views.exports, name="exports"),
    path("series/<int:pk>/report/", views.series_report, name="series_report"),
    path("workshops/<int:pk>/report/", views.workshop_report, name="workshop_report"),
    path("exports/<str:token>/", views.export_status, name="export_status"),
    path("exports/<str:token>/download/", views.export_download, name="export_download"),
    path("exports/<str:token>/retry/", views.export_retry, name="export_retry"),
]
