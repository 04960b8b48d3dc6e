from django.urls import path

from profiles import api, auth_api

urlpatterns = [
    path("auth/token/", auth_api.TokenCreateView.as_view(), name="auth-token"),
    path("auth/logout/", auth_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", auth_api.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/tokens/", auth_api.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:pk>/", auth_api.TokenDeleteView.as_view(), name="auth-token-delete"),
    path("auth/password/set/", auth_api.PasswordSetView.as_view(), name="auth-password-set"),
    path("auth/password/link/", auth_api.PasswordLinkView.as_view(), name="auth-password-link"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/avatar/", api.MeAvatarView.as_view(), name="me-avatar"),
    path("profiles/", api.ProfileListView.as_view(), name="profile-list"),
    path("profiles/<str:username>/", api.ProfileDetailView.as_view(), name="profile-detail"),
    path("profiles/<str:username>/follow/", api.FollowView.as_view(), name="profile-follow"),
    path("profiles/<str:username>/followers/", api.FollowersView.as_view(), name="profile-followers"),
    path("profiles/<str:username>/following/", api.FollowingView.as_view(), name="profile-following"),
    path(
        "profiles/<str:username>/connections/",
        api.ProfileConnectionsView.as_view(),
        name="profile-connections",
    ),
    path("connections/", api.ConnectionListView.as_view(), name="connection-list"),
    path("connections/requests/", api.ConnectionRequestListView.as_view(), name="connection-requests"),
    path(
        "connections/requests/<int:pk>/",
        api.ConnectionRequestWithdrawView.as_view(),
        name="connection-request-withdraw",
    ),
    path(
        "connections/requests/<int:pk>/accept/",
        api.ConnectionRequestAcceptView.as_view(),
        name="connection-request-accept",
    ),
    path(
        "connections/requests/<int:pk>/decline/",
        api.ConnectionRequestDeclineView.as_view(),
        name="connection-request-decline",
    ),
    path("connections/<str:username>/", api.ConnectionDeleteView.as_view(), name="connection-delete"),
]
