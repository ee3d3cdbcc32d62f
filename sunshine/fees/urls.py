"""URLs of fees: the public pages under /fees/ and the staff pages under /fees/staff/."""

from django.urls import path

from sunshine.fees.views import public, staff

app_name = "fees"
urlpatterns = [
    path("schools/", public.NoticeSchoolListView.as_view(), name="school-list"),
    path("schools/<str:code>/", public.NoticeDetailView.as_view(), name="school-notice"),
    path("notices/<int:pk>/poster.docx", public.NoticePosterView.as_view(), name="notice-poster"),
    path("notices/<int:pk>/complain/", public.NoticeComplainView.as_view(), name="notice-complain"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/declarations/new/", staff.DeclarationCreateView.as_view(), name="declaration-create"),
    path("staff/declarations/<int:pk>/", staff.DeclarationReviewView.as_view(), name="declaration-review"),
    path("staff/notices/<int:school>/<int:term>/", staff.NoticeStaffView.as_view(), name="notice-staff"),
    path("staff/ledgers/upload/", staff.LedgerUploadView.as_view(), name="ledger-upload"),
    path("staff/ledgers/<int:pk>/", staff.LedgerDetailView.as_view(), name="ledger-detail"),
    path("staff/findings/<int:pk>/", staff.FindingActionView.as_view(), name="finding-action"),
    path("staff/findings/export.xlsx", staff.FindingExportView.as_view(), name="finding-export"),
    path("staff/refunds/", staff.RefundListView.as_view(), name="refund-list"),
    path("staff/ledgers/<int:pk>/refund-preview.docx", staff.RefundPreviewView.as_view(), name="refund-preview"),
    path("staff/refunds/<int:pk>/", staff.RefundDetailView.as_view(), name="refund-detail"),
    path("staff/refunds/<int:pk>/notice.docx", staff.RefundNoticeView.as_view(), name="refund-notice"),
    path("staff/catalogue/", staff.CatalogueView.as_view(), name="catalogue"),
]
