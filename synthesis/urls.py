from django.urls import path

from synthesis import views

app_name = "synthesis"

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("series/<int:pk>/contributions/", views.series_contributions, name="series_contributions"),
]
