"""Every change made through the admin is in the hash-chained audit log."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from sunshine.core.admin.audited import AuditedModelAdmin
from sunshine.core.models import AuditEntry, ScheduledJob
from sunshine.core.scheduler import scheduler_tick
from sunshine.core.testing import client_for, user_with_role
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def test_every_admin_the_system_admin_can_write_through_is_audited():
    """Walks admin.site._registry: an admin that lets the system administrator add,
    change or delete anything must be an AuditedModelAdmin."""
    request = RequestFactory().get("/admin/")
    request.user = user_with_role(Role.SYSTEM_ADMIN)
    OTPMiddleware._init_user_fields(request.user)
    writable = []
    for model, model_admin in admin.site._registry.items():
        can_write = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if can_write:
            writable.append(model._meta.label)
            assert isinstance(model_admin, AuditedModelAdmin), model._meta.label
    assert {"accounts.User", "orgs.Organization", "orgs.Membership", "core.ScheduledJob"} <= set(writable)
    assert not {"otp_totp.TOTPDevice", "otp_static.StaticDevice", "auth.Group", "axes.AccessAttempt"} & set(writable)


def test_admin_change_and_bulk_delete_write_audit_entries():
    client, sysadmin = client_for(Role.SYSTEM_ADMIN)
    scheduler_tick()
    job = ScheduledJob.objects.first()
    url = reverse("admin:core_scheduledjob_change", args=[job.pk])
    form = {"interval_seconds": 600, "next_run_at_0": "2030-01-01", "next_run_at_1": "00:00:00", "enabled": ""}
    assert client.post(url, form).status_code == 302
    entry = AuditEntry.objects.get(action="admin.core.scheduledjob_change")
    assert entry.actor == sysadmin and entry.target_id == str(job.pk)

    bureau = BureauFactory()
    departments = [DepartmentFactory(parent=bureau), DepartmentFactory(parent=bureau)]
    response = client.post(
        reverse("admin:orgs_organization_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in departments], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk__in=[d.pk for d in departments]).exists()
    deleted = AuditEntry.objects.filter(action="admin.orgs.organization_delete", actor=sysadmin)
    assert sorted(deleted.values_list("target_id", flat=True)) == sorted(str(d.pk) for d in departments)
