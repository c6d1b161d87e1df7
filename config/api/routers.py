from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """Canonical paths have no trailing slash; the same path with one also works (no redirect)."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
