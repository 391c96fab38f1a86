from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<str:code>/", views.workshop, name="workshop"),
    path("w/<str:code>/join/", views.join, name="join"),
    path("w/<str:code>/easy-read/", views.easy_read_switch, name="easy_read"),
    path("w/<str:code>/post/", views.contribute, name="contribute"),
    path("w/<str:code>/vote/<int:contribution_id>/", views.vote, name="vote"),
    path("w/<str:code>/withdraw/<int:contribution_id>/", views.withdraw, name="withdraw"),
    path(
        "w/<str:code>/withdraw/<int:contribution_id>/undo/",
        views.withdraw_undo,
        name="withdraw_undo",
    ),
]
