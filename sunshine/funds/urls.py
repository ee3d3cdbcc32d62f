"""URLs of funds: public pages under /funds/, staff pages under /funds/staff/."""

from django.urls import path

from sunshine.funds.views import public, staff

app_name = "funds"
urlpatterns = [
    path("schools/", public.SchoolListView.as_view(), name="school-list"),
    path("schools/<str:code>/", public.SchoolFundsView.as_view(), name="school"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/funds/new/", staff.FundCreateView.as_view(), name="fund-create"),
    path("staff/funds/<int:pk>/", staff.FundDetailView.as_view(), name="fund"),
    path("staff/funds/<int:pk>/import/", staff.ImportView.as_view(), name="import"),
    path("staff/allocations/<int:pk>/", staff.AllocationDetailView.as_view(), name="allocation"),
    path("staff/alerts/<int:pk>/rectify/", staff.RectifyView.as_view(), name="rectify"),
    path("staff/statement/", staff.StatementView.as_view(), name="statement"),
    path("staff/schools/<int:pk>/publish/", staff.SchoolPublishView.as_view(), name="school-publish"),
]
