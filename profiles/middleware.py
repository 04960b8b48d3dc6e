from profiles import services


class LastActiveMiddleware:
    """Records when a signed-in person was last active, at most one write per
    LAST_ACTIVE_RESOLUTION_SECONDS. It looks after the response, when DRF has also
    authenticated token requests."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The API views leave the profile they loaded on the request.
            profile = getattr(request, "viewer_profile", None) or getattr(user, "profile", None)
            if profile is not None:
                services.profile_touch(profile=profile)
        return response
