"""URLs of petitions: the public pages under /petitions/ and the staff pages under
/petitions/staff/ (the API's URLs are mounted beside these, see the note at the end)."""

from django.urls import path

from sunshine.petitions.views import public, staff

app_name = "petitions"
urlpatterns = [
    # Public (PET-1 … PET-10 as the public sees them)
    path("", public.ChannelListView.as_view(), name="channels"),
    path("write/", public.PetitionFileView.as_view(), name="file"),
    path("write/receipt/", public.PetitionReceiptView.as_view(), name="receipt"),
    path("follow/", public.TrackView.as_view(), name="track"),
    path("follow/case/", public.TrackCaseView.as_view(), name="track-case"),
    path("follow/case/message/", public.TrackMessageView.as_view(), name="track-message"),
    path("follow/case/rating/", public.TrackRateView.as_view(), name="track-rate"),
    path("follow/case/review/", public.TrackReviewView.as_view(), name="track-review"),
    path("follow/case/reexamination/", public.TrackReexamView.as_view(), name="track-reexam"),
    path("follow/case/replies/<int:pk>.docx", public.TrackReplyDownloadView.as_view(), name="track-reply-docx"),
    path("follow/leave/", public.TrackLeaveView.as_view(), name="track-leave"),
    path("figures/", public.FiguresView.as_view(), name="figures"),
    # Staff
    path("staff/", staff.QueueListView.as_view(), name="workbench"),
    path("staff/export.xlsx", staff.QueueExportView.as_view(), name="export"),
    path("staff/assign/", staff.BulkAssignView.as_view(), name="bulk-assign"),
    path("staff/intake/", staff.IntakeView.as_view(), name="intake"),
    path("staff/intake/done/", staff.IntakeDoneView.as_view(), name="intake-done"),
    path("staff/cases/<int:pk>/", staff.CaseDetailView.as_view(), name="case"),
    path("staff/cases/<int:pk>/identity/", staff.IdentityOpenView.as_view(), name="case-identity"),
    path("staff/cases/<int:pk>/accept/", staff.CaseAcceptView.as_view(), name="case-accept"),
    path("staff/cases/<int:pk>/decline/", staff.CaseDeclineView.as_view(), name="case-decline"),
    path("staff/cases/<int:pk>/forward/", staff.CaseForwardView.as_view(), name="case-forward"),
    path("staff/cases/<int:pk>/assign/", staff.CaseAssignView.as_view(), name="case-assign"),
    path("staff/cases/<int:pk>/start/", staff.CaseStartView.as_view(), name="case-start"),
    path("staff/cases/<int:pk>/instruct/", staff.CaseInstructView.as_view(), name="case-instruct"),
    path("staff/cases/<int:pk>/extend/", staff.CaseExtendView.as_view(), name="case-extend"),
    path("staff/cases/<int:pk>/reply/", staff.CaseReplyView.as_view(), name="case-reply"),
    path("staff/cases/<int:pk>/reply/preview.docx", staff.CaseReplyPreviewView.as_view(), name="case-reply-preview"),
    path("staff/cases/<int:pk>/close/", staff.CaseCloseView.as_view(), name="case-close"),
    path("staff/cases/<int:pk>/signoff/", staff.CaseSignoffView.as_view(), name="case-signoff"),
    path("staff/cases/<int:pk>/unit-report/", staff.CaseUnitReportView.as_view(), name="case-unit-report"),
    path(
        "staff/cases/<int:pk>/unit-report/return/",
        staff.CaseUnitReportReturnView.as_view(),
        name="case-unit-report-return",
    ),
    path("staff/cases/<int:pk>/outcome/", staff.CaseOutcomeView.as_view(), name="case-outcome"),
    path("staff/cases/<int:pk>/recuse/", staff.CaseRecuseView.as_view(), name="case-recuse"),
    path("staff/cases/<int:pk>/conflict/", staff.CaseConflictView.as_view(), name="case-conflict"),
    path("staff/cases/<int:pk>/accused/", staff.CaseAccusedView.as_view(), name="case-accused"),
    path(
        "staff/cases/<int:pk>/same-facts/<int:earlier_pk>/",
        staff.CaseSameFactsView.as_view(),
        name="case-same-facts",
    ),
    path("staff/cases/<int:pk>/links/<int:link_pk>/", staff.CaseLinkDecideView.as_view(), name="case-link"),
    path("staff/cases/<int:pk>/message/", staff.CaseMessageView.as_view(), name="case-message"),
    path("staff/cases/<int:pk>/note/", staff.CaseNoteView.as_view(), name="case-note"),
    path(
        "staff/cases/<int:pk>/notice.docx",
        staff.CaseDocumentView.as_view(),
        {"document": "notice"},
        name="case-notice-docx",
    ),
    path(
        "staff/cases/<int:pk>/supervision.docx",
        staff.CaseDocumentView.as_view(),
        {"document": "supervision"},
        name="case-supervision-docx",
    ),
    path(
        "staff/cases/<int:pk>/replies/<int:reply_pk>.docx",
        staff.CaseDocumentView.as_view(),
        {"document": "reply"},
        name="case-reply-docx",
    ),
    # The API (sunshine/petitions/api_urls.py) is NOT included here: inside this app's
    # "petitions" namespace django-ninja cannot reverse its own "petitions-api:" names, so
    # /api/docs and /api/openapi.json fail. Mount it in config/urls.py, before this file:
    #     path("petitions/", include("sunshine.petitions.api_urls")),
]
