from django.contrib import admin
from django.urls import include, path

from sunshine.core.views.public import language_switch

urlpatterns = [
    # Django's set_language, checked by origin instead of a CSRF token (core.views.public).
    path("i18n/setlang/", language_switch, name="set_language"),
    path("accounts/", include("sunshine.accounts.urls")),
    path("admin/", admin.site.urls),
    path("petitions/", include("sunshine.petitions.api_urls")),
    path("petitions/", include("sunshine.petitions.urls")),
    path("fees/", include("sunshine.fees.urls")),
    path("disclosure/", include("sunshine.disclosure.urls")),
    path("decisions/", include("sunshine.decisions.urls")),
    path("opinion/", include("sunshine.opinion.urls")),
    path("funds/", include("sunshine.funds.api_urls")),
    path("funds/", include("sunshine.funds.urls")),
    path("enrollment/", include("sunshine.enrollment.api_urls")),
    path("enrollment/", include("sunshine.enrollment.urls")),
    path("reports/", include("sunshine.reports.urls")),
    path("oversight/", include("sunshine.oversight.api_urls")),
    path("oversight/", include("sunshine.oversight.urls")),
    path("", include("sunshine.core.urls")),
]
