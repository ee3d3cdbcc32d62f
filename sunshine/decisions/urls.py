"""URLs of decisions: public pages under /decisions/, staff pages under /decisions/staff/."""

from django.urls import path

from sunshine.decisions import api
from sunshine.decisions.views import public, staff

app_name = "decisions"
urlpatterns = [
    path("", public.DecisionListView.as_view(), name="public-decisions"),
    path("<int:pk>/", public.DecisionDetailView.as_view(), name="public-decision"),
    path("consultations/", public.ConsultationListView.as_view(), name="public-consultations"),
    path("consultations/<int:pk>/", public.ConsultationDetailView.as_view(), name="public-consultation"),
    path("consultations/<int:pk>/report.docx", public.ConsultationReportView.as_view(), name="public-report"),
    path("api/decisions/", api.decisions_api, name="api-decisions"),
    path("api/consultations/", api.consultations_api, name="api-consultations"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/items/new/", staff.ItemCreateView.as_view(), name="item-create"),
    path("staff/items/<int:pk>/", staff.ItemView.as_view(), name="item"),
    path("staff/meetings/new/", staff.MeetingCreateView.as_view(), name="meeting-create"),
    path("staff/meetings/<int:pk>/", staff.MeetingView.as_view(), name="meeting"),
    path("staff/meetings/<int:pk>/minutes.docx", staff.MinutesDownloadView.as_view(), name="minutes"),
    path("staff/consultations/<int:pk>/", staff.ConsultationView.as_view(), name="consultation"),
    path("staff/projects/<int:pk>/", staff.ProjectView.as_view(), name="project"),
    path("staff/purchases/new/", staff.PurchaseCreateView.as_view(), name="purchase-create"),
    path("staff/rounds/new/", staff.RoundCreateView.as_view(), name="round-create"),
    path("staff/rounds/<int:pk>/", staff.RoundView.as_view(), name="round"),
    path("staff/red-flags/", staff.RedFlagsView.as_view(), name="red-flags"),
]
