from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "sunshine.enrollment"
    label = "enrollment"
    verbose_name = _("Enrollment and recruitment")

    def ready(self) -> None:
        from django.urls import reverse

        from sunshine.core.demo import register_demo_builder
        from sunshine.core.issued import register_document_kind
        from sunshine.core.registry import register_home_panel, register_workbench_entry
        from sunshine.core.supervision import register_supervised
        from sunshine.enrollment import figures
        from sunshine.enrollment.access import can_use_workbench
        from sunshine.enrollment.demo import build_enrollment_demo
        from sunshine.enrollment.models import Disclosure, RecruitmentList, Season
        from sunshine.enrollment.recruitment import LIST_DOCUMENT

        register_workbench_entry(_("Enrollment"), "enrollment:workbench", order=45, visible=can_use_workbench)
        register_home_panel("enrollment", template="enrollment/home/enrollment.html", section="services", order=40)
        register_supervised(
            Season,
            url=lambda season: reverse("enrollment:season-staff", args=[season.pk]),
            label=_("enrollment season"),
        )
        register_supervised(
            Disclosure,
            url=lambda d: reverse("enrollment:season-staff", args=[d.season_id]),
            label=_("enrollment disclosure"),
        )
        register_demo_builder("enrollment", build_enrollment_demo, order=60)
        register_document_kind(LIST_DOCUMENT, label=_("recruitment list"), number_prefix="{short_name}招聘公示")
        register_supervised(
            RecruitmentList,
            url=lambda lst: reverse("enrollment:recruitment-staff", args=[lst.recruitment_id]),
            label=_("recruitment list"),
        )
        figures.register()
