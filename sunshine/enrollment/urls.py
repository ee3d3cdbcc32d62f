"""URLs of enrollment: public pages under /enrollment/, staff pages under /enrollment/staff/."""

from django.urls import path

from sunshine.enrollment.views import public, staff

app_name = "enrollment"
urlpatterns = [
    path("", public.IndexView.as_view(), name="index"),
    path("seasons/<int:pk>/", public.SeasonView.as_view(), name="season"),
    path("seasons/<int:pk>/apply/", public.ApplyView.as_view(), name="apply"),
    path("seasons/<int:pk>/admission/", public.AdmissionLookupView.as_view(), name="admission"),
    path("apply/done/", public.ApplyDoneView.as_view(), name="apply-done"),
    path("status/", public.StatusView.as_view(), name="status"),
    path("lotteries/<int:pk>/", public.LotteryView.as_view(), name="lottery"),
    path("lotteries/<int:pk>/bundle.json", public.LotteryBundleView.as_view(), name="lottery-bundle"),
    path("lottery_verify.py", public.VerifierView.as_view(), name="verifier"),
    path("recruitments/<int:pk>/", public.RecruitmentView.as_view(), name="recruitment"),
    path("staff/", staff.WorkbenchView.as_view(), name="workbench"),
    path("staff/recruitments/<int:pk>/", staff.RecruitmentStaffView.as_view(), name="recruitment-staff"),
    path("staff/seasons/<int:pk>/", staff.SeasonStaffView.as_view(), name="season-staff"),
    path("staff/applications/<int:pk>/", staff.ApplicationStaffView.as_view(), name="application-staff"),
]
