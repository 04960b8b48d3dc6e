from django.urls import path

from alumni import api

urlpatterns = [
    path("alumni/", api.AlumniDirectoryView.as_view(), name="alumni-directory"),
    path("alumni/me/", api.AlumniMeView.as_view(), name="alumni-me"),
    path("alumni/former-colleagues/", api.FormerColleaguesView.as_view(), name="alumni-former-colleagues"),
    path("alumni/offboard/", api.OffboardView.as_view(), name="alumni-offboard"),
    path("alumni/rehire/", api.RehireView.as_view(), name="alumni-rehire"),
]
