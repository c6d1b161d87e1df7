"""Responses whose body is too large to leave to the cyclic garbage collector."""

from rest_framework.response import Response


def rendered_now(view, body) -> Response:
    """`body` (or a `Response` of it) as the view's response, finalized and rendered at once,
    its Python objects let go.

    For a body of tens of thousands of objects built under `config.memory.gc_paused`: rendered
    inside the pause, they are freed by reference counting before the collector is back, where
    a response rendered later kept them alive into its first pass, which walked every one (a
    tenth of a 10,000-node explosion's time). DRF's dispatch finalizes the response again when
    the view returns it: that sets the same headers, and a rendered response is not rendered
    twice."""
    response = body if isinstance(body, Response) else Response(body)
    response = view.finalize_response(view.request, response)
    response.render()
    response.data = response.renderer_context = None
    return response
