"""Dashboard and download routes of the generation pipeline."""

from django.urls import path

from generation import views

urlpatterns = [
    path("files/<str:token>", views.file_download, name="file_download"),
]
