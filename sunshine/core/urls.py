from django.urls import path

from sunshine.core.views import public, staff

app_name = "core"
urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("workbench/", staff.WorkbenchView.as_view(), name="workbench"),
]
