"""Production: the city deployment. Refuses to start on any demo default."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env
from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DEFAULT_AUDIT_KEY,
    DEFAULT_FIELD_KEYS,
    DEFAULT_HASH_KEY,
    DEFAULT_INDEX_KEY,
    DEFAULT_SECRET_KEY,
)

DEBUG = False
SECRET_KEY = env("SUNSHINE_SECRET_KEY")
SUNSHINE_FIELD_KEYS = env("SUNSHINE_FIELD_KEYS")
SUNSHINE_HASH_KEY = env("SUNSHINE_HASH_KEY")
SUNSHINE_INDEX_KEY = env("SUNSHINE_INDEX_KEY")
SUNSHINE_AUDIT_KEY = env("SUNSHINE_AUDIT_KEY")
_SECRETS = (
    ("SUNSHINE_SECRET_KEY", SECRET_KEY, DEFAULT_SECRET_KEY),
    ("SUNSHINE_FIELD_KEYS", SUNSHINE_FIELD_KEYS, DEFAULT_FIELD_KEYS),
    ("SUNSHINE_HASH_KEY", SUNSHINE_HASH_KEY, DEFAULT_HASH_KEY),
    ("SUNSHINE_INDEX_KEY", SUNSHINE_INDEX_KEY, DEFAULT_INDEX_KEY),
    ("SUNSHINE_AUDIT_KEY", SUNSHINE_AUDIT_KEY, DEFAULT_AUDIT_KEY),
)
for _name, _value, _default in _SECRETS:
    if _value == _default or len(_value) < 32:
        raise ImproperlyConfigured(f"{_name} must be set to a secret of at least 32 characters, not the demo default")
if len({_value for _name, _value, _default in _SECRETS}) != len(_SECRETS):
    raise ImproperlyConfigured("Each secret (SUNSHINE_*_KEY) must be different from every other one")
# The API's interactive docs are off in production (the OpenAPI schema stays).
SUNSHINE_API_DOCS = env("SUNSHINE_API_DOCS", False, bool)

SECURE_SSL_REDIRECT = env("SUNSHINE_SSL_REDIRECT", True, bool)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env("SUNSHINE_HSTS_SECONDS", 31536000, int)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
