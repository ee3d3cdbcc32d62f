"""Test settings: fast hashing, tasks run in-process, files in a temporary folder."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="sunshine-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
WHITENOISE_AUTOREFRESH = True
# The opinion tests fetch from a local HTTP server.
SUNSHINE_OPINION_ALLOW_PRIVATE_SOURCES = True
SUNSHINE_AUDIT_ANCHOR_DIR = str(Path(tempfile.mkdtemp(prefix="sunshine-test-anchors-")))
