import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()
# Every view imported now, then what the start made kept out of the collector's sight
# (gc.freeze): those objects live as long as the process, and a collection run during a
# request no longer walks them all.
get_resolver().url_patterns  # noqa: B018
gc.freeze()
