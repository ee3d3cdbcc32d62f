"""The oversight API's URLs, mounted in config/urls.py: /oversight/api/bulletins,
/oversight/api/advanced/<pk>, /oversight/api/openapi.json."""

from django.urls import path

from sunshine.oversight.api import api

urlpatterns = [path("api/", api.urls)]
