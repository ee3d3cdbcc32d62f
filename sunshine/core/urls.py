from django.urls import path

from sunshine.core.views import public, staff
from sunshine.core.views.files import FileDownloadView, IssuedDocumentDownloadView

app_name = "core"
urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("workbench/", staff.WorkbenchView.as_view(), name="workbench"),
    path("search/", public.SearchView.as_view(), name="search"),
    path("display/", public.DisplayPreferenceUpdateView.as_view(), name="display"),
    path("files/<uuid:pk>/", FileDownloadView.as_view(), name="file-download"),
    path("documents/<int:pk>/", IssuedDocumentDownloadView.as_view(), name="document-download"),
]

from sunshine.core.views import audit as audit_views  # noqa: E402

urlpatterns += [
    path("staff/audit/", audit_views.AuditEntryListView.as_view(), name="audit-list"),
    path("staff/audit/verify/", audit_views.AuditChainVerifyView.as_view(), name="audit-verify"),
]
