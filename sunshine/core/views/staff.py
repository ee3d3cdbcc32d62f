from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class WorkbenchView(LoginRequiredMixin, TemplateView):
    template_name = "core/staff/workbench.html"
