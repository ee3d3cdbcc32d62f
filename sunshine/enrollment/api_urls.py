"""The enrollment API's URLs, mounted in config/urls.py under /enrollment/api/."""

from django.urls import path

from sunshine.enrollment.api import api

urlpatterns = [path("api/", api.urls)]
