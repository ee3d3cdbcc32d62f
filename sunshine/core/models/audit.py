"""Audit log models (placeholder until the hash chain lands)."""

from django.conf import settings
from django.db import models


__all__ = ["AuditEntry", "AuditHead"]


class AuditHead(models.Model):
    pass


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
