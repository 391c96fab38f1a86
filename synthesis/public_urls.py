"""The public results pages of a series, at /r/<results code>/: no sign-in."""

from django.urls import path

from synthesis import notice_views, public

urlpatterns = [
    path("<str:code>/", public.results, name="results"),
    path("<str:code>/easy-read/", public.results_easy_read, name="results_easy_read"),
    path("<str:code>/feed/", public.results_feed, name="results_feed"),
    path("<str:code>/report.pdf", public.results_file, name="results_file"),
    path(
        "<str:code>/easy-read.pdf",
        public.results_file,
        {"easy_read": True},
        name="results_easy_read_file",
    ),
]

# Following the results by email: asked for on the results page, confirmed and stopped by
# the token in the emailed links. Codes and tokens are slugs: anything else is no address.
urlpatterns += [
    path("<slug:code>/follow/", notice_views.results_subscribe, name="results_subscribe"),
    path(
        "<slug:code>/follow/sent/",
        notice_views.results_subscribe_sent,
        name="results_subscribe_sent",
    ),
    path("<slug:code>/confirm/<slug:token>/", notice_views.results_confirm, name="results_confirm"),
    path(
        "<slug:code>/unsubscribe/<slug:token>/",
        notice_views.results_unsubscribe,
        name="results_unsubscribe",
    ),
]
