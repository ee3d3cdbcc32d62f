"""URLs of oversight: the public pages under /oversight/ and the staff pages under /oversight/staff/."""

from django.urls import path

from sunshine.oversight.views import public, staff

app_name = "oversight"
urlpatterns = [
    path("bulletins/", public.BulletinListView.as_view(), name="bulletins"),
    path("bulletins/<int:pk>/", public.BulletinDetailView.as_view(), name="bulletin"),
    path("bulletins/<int:pk>/bulletin.docx", public.BulletinDocumentView.as_view(), name="bulletin-docx"),
    path("advanced/<int:pk>/", public.AdvancedListView.as_view(), name="advanced"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/orders/new/", staff.OrderCreateView.as_view(), name="order-create"),
    path("staff/orders/<int:pk>/", staff.OrderDetailView.as_view(), name="order-detail"),
    path("staff/supervisors/new/", staff.AppointmentCreateView.as_view(), name="appointment-create"),
    path("staff/inspections/new/", staff.InspectionCreateView.as_view(), name="inspection-create"),
    path("staff/inspections/<int:pk>/", staff.InspectionDetailView.as_view(), name="inspection-detail"),
    path("staff/evaluations/new/", staff.EvaluationCreateView.as_view(), name="evaluation-create"),
    path("staff/evaluations/<int:pk>/", staff.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("staff/vetoes/<int:pk>/", staff.VetoDetailView.as_view(), name="veto-detail"),
    path("staff/circulars/new/", staff.CircularCreateView.as_view(), name="circular-create"),
    path("staff/circulars/<int:pk>/", staff.CircularDetailView.as_view(), name="circular-detail"),
    path("staff/campaigns/new/", staff.CampaignCreateView.as_view(), name="campaign-create"),
    path("staff/campaigns/<int:pk>/", staff.CampaignDetailView.as_view(), name="campaign-detail"),
    path("staff/talks/", staff.TalkListView.as_view(), name="talks"),
]
