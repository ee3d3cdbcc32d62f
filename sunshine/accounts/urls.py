from django.urls import path

from sunshine.accounts import security, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.OtpVerifyView.as_view(), name="otp-verify"),
    path("login/enrol/", views.OtpEnrolView.as_view(), name="otp-enrol"),
    path("enrol/", views.EnrolmentView.as_view(), name="enrol"),
    path("enrol/<str:token>/", views.EnrolmentLinkView.as_view(), name="enrol-link"),
    path("recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery-codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("security/", security.SecurityOverviewView.as_view(), name="security"),
    path("security/unlock/", security.LockoutResetView.as_view(), name="security-unlock"),
    path("security/reset/", security.AccountResetView.as_view(), name="security-reset"),
    path("security/grants/<int:pk>/", security.MembershipDecideView.as_view(), name="security-grant"),
]
