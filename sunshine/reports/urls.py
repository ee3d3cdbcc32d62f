from django.urls import path

from sunshine.reports.views import public, staff

app_name = "reports"
urlpatterns = [
    path("statistics/", public.StatisticsView.as_view(), name="statistics"),
    path("statistics/download/", public.StatisticsDownloadView.as_view(), name="statistics-download"),
    path("statistics/breakdowns/<str:key>/", public.StatisticsBreakdownView.as_view(), name="statistics-breakdown"),
    path("api/figures", public.StatisticsApiView.as_view(), name="api-figures"),
    path("staff/", staff.DashboardView.as_view(), name="dashboard"),
    path("staff/chart/<slug:prefix>/", staff.ChartDataView.as_view(), name="chart"),
    path("staff/breakdown/<str:key>/", staff.BreakdownDataView.as_view(), name="breakdown"),
    path("staff/summary/", staff.SummaryView.as_view(), name="summary"),
]
