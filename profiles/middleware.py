from profiles import services


class LastActiveMiddleware:
    """Records when a signed-in person was last active (at most one write per
    LAST_ACTIVE_RESOLUTION_SECONDS). Token-authenticated API calls are recorded by the API
    views' authentication, which runs later; this covers browser sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(user, "profile"):
            services.profile_touch(profile=user.profile)
        return response
