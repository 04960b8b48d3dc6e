"""Requests no view can answer sensibly, refused before any view runs."""

from django.http import HttpResponseBadRequest, JsonResponse

from socialblue.outages import wants_json

NUL_REFUSED = "A URL cannot contain a NUL character."


class RefuseNulCharacters:
    """A NUL character in the path or the query string is a 400.

    PostgreSQL text cannot hold NUL: a username or a search term carrying one does not find
    nothing, it makes the database raise, which would surface as a 500. No URL of ours means a
    NUL, so it is refused here once, for the API and the web pages alike, instead of at every
    lookup a path or a query reaches. (Request bodies go through forms and serializers, which
    refuse NUL themselves.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()
        ):
            if wants_json(request):
                return JsonResponse({"detail": NUL_REFUSED, "code": "bad_request"}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
