from django.urls import path

from feed import api

urlpatterns = [
    path("feed/", api.FeedView.as_view(), name="feed"),
    path("posts/", api.PostCreateView.as_view(), name="post-create"),
    path("posts/<int:pk>/", api.PostDetailView.as_view(), name="post-detail"),
    path("posts/<int:pk>/comments/", api.CommentListView.as_view(), name="post-comments"),
    path("posts/<int:pk>/reaction/", api.ReactionView.as_view(), name="post-reaction"),
    path("comments/<int:pk>/", api.CommentDetailView.as_view(), name="comment-detail"),
    path("profiles/<str:username>/posts/", api.ProfilePostsView.as_view(), name="profile-posts"),
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="notifications-read"),
]
