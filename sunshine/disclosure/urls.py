"""URLs of disclosure: the public pages under /disclosure/ and the staff pages under /disclosure/staff/."""

from django.urls import path

from sunshine.disclosure.views import public, staff

app_name = "disclosure"
urlpatterns = [
    path("", public.IndexView.as_view(), name="index"),
    path("search/", public.DisclosureSearchView.as_view(), name="search"),
    path("org/<str:code>/", public.CatalogueView.as_view(), name="catalogue"),
    path("org/<str:code>/feed/", public.DocumentFeed(), name="feed"),
    path("org/<str:code>/feed/<slug:category>/", public.DocumentFeed(), name="feed-category"),
    path("org/<str:code>/annual-report/<int:year>/", public.AnnualReportView.as_view(), name="annual-report"),
    path("documents/<int:pk>/", public.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/v<int:number>/", public.DocumentDetailView.as_view(), name="version"),
    path("archive/", public.ArchiveView.as_view(), name="archive"),
    path("archive/<int:pk>/", public.ArchivedDocumentView.as_view(), name="archived"),
    path("bulletins/<int:pk>/", public.BulletinView.as_view(), name="bulletin"),
    path("foi/", public.FoiCreateView.as_view(), name="foi"),
    path("foi/done/", public.FoiDoneView.as_view(), name="foi-done"),
    path("foi/track/", public.FoiTrackView.as_view(), name="foi-track"),
    path("foi/mine/", public.FoiMineView.as_view(), name="foi-mine"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/documents/new/", staff.DocumentCreateView.as_view(), name="staff-document-new"),
    path("staff/documents/<int:pk>/", staff.DocumentStaffView.as_view(), name="staff-document"),
    path("staff/foi/", staff.FoiListView.as_view(), name="staff-foi-list"),
    path("staff/foi/new/", staff.FoiIntakeView.as_view(), name="staff-foi-new"),
    path("staff/foi/<int:pk>/", staff.FoiStaffView.as_view(), name="staff-foi"),
    path("staff/foi/<int:pk>/letter/", staff.FoiLetterView.as_view(), name="staff-foi-letter"),
    path("staff/annual-report/<int:year>/", staff.AnnualReportStaffView.as_view(), name="staff-annual-report"),
    path("staff/inspections/", staff.InspectionListView.as_view(), name="staff-inspections"),
    path("staff/inspections/<int:pk>/", staff.InspectionStaffView.as_view(), name="staff-inspection"),
]
