"""URLs of opinion: the public pages under /opinion/ and the staff pages under /opinion/staff/."""

from django.urls import path

from sunshine.opinion.views import public, staff

app_name = "opinion"
urlpatterns = [
    path("replies/", public.ReplyListView.as_view(), name="reply-list"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/briefs/", staff.BriefListView.as_view(), name="brief"),
    path("staff/briefs/<int:pk>/", staff.BriefDownloadView.as_view(), name="brief-download"),
    path("staff/sources/", staff.SourceListView.as_view(), name="source-list"),
    path("staff/sources/<int:pk>/fetch/", staff.SourceFetchView.as_view(), name="source-fetch"),
    path("staff/sources/<int:pk>/import/", staff.SourceImportView.as_view(), name="source-import"),
    path("staff/posts/", staff.PostListView.as_view(), name="post-list"),
    path("staff/posts/<int:pk>/review/", staff.PostReviewView.as_view(), name="post-review"),
    path("staff/events/<int:pk>/", staff.EventDetailView.as_view(), name="event-detail"),
    path("staff/events/<int:pk>/<str:action>/", staff.EventActionView.as_view(), name="event-action"),
]
