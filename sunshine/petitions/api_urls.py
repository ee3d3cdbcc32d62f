"""The petitions API's URLs; include them where the API is mounted, e.g. in
config/urls.py: ``path("petitions/", include("sunshine.petitions.api_urls"))`` →
/petitions/api/intake, /petitions/api/status, /petitions/api/openapi.json."""

from django.urls import path

from sunshine.petitions.api import api

urlpatterns = [path("api/", api.urls)]
