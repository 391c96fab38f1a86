"""The public results pages of a series, at /r/<results code>/: no sign-in."""

urlpatterns = []
