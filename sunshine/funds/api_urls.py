"""The funds API's URLs: /funds/api/schools/{code}."""

from django.urls import path

from sunshine.funds.api import api

urlpatterns = [path("api/", api.urls)]
