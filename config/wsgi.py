import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view now rather than on the first request, then move what startup built (some
# 130,000 long-lived objects: modules, classes, URL patterns, serializer fields) out of the
# cyclic garbage collector's generations, so its full passes stop re-walking them during
# requests. Nothing is lost: these objects live as long as the process.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
gc.collect()
gc.freeze()
