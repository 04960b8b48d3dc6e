from django.urls import path

from alumni import export_api

urlpatterns = [
    path("me/export/", export_api.MeExportView.as_view(), name="me-export"),
    path("me/export/<int:pk>/download/", export_api.ExportDownloadView.as_view(), name="me-export-download"),
]
