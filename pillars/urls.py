from django.urls import path

from pillars import views

app_name = "pillars"

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("<int:pk>/", views.framework_edit, name="framework_edit"),
]
