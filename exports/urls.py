from django.urls import path

from exports import api

urlpatterns = [
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
    path("me/export/<int:pk>/download/", api.ExportDownloadView.as_view(), name="me-export-download"),
]
