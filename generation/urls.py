"""Dashboard and download routes of the generation pipeline."""

from django.urls import path

from generation import downloads

urlpatterns = [
    path("files/<str:token>", downloads.file_download, name="file_download"),
]
