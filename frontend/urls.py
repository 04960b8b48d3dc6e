"""The web pages. Each area's views are in ``frontend/views/<area>.py``."""

from django.urls import path

from frontend.views import albums, alumni, auth, connections, home, hr, notifications, people, settings

app_name = "frontend"

urlpatterns = [
    path("", home.home, name="home"),
    path("signin/", auth.signin, name="signin"),
    path("signout/", auth.signout, name="signout"),
    # Home: the feed, the composer, comments and reactions.
    path("feed/more/", home.feed_more, name="feed_more"),
    path("feed/new/", home.feed_new, name="feed_new"),
    path("posts/", home.post_create, name="post_create"),
    path("posts/<int:pk>/", home.post_detail, name="post_detail"),
    path("posts/<int:pk>/delete/", home.post_delete, name="post_delete"),
    path("posts/<int:pk>/comments/", home.comments, name="comments"),
    path("posts/<int:pk>/reaction/", home.reaction, name="reaction"),
    path("photos/attach/", home.attach_photos, name="attach_photos"),
    # People: the directory and profiles.
    path("people/", people.directory, name="directory"),
    path("people/<str:username>/", people.profile, name="profile"),
    path("people/<str:username>/follow/", people.follow, name="follow"),
    path("people/<str:username>/connect/", people.connect, name="connect"),
    path("me/edit/", people.profile_edit, name="profile_edit"),
    path("me/avatar/", people.avatar, name="avatar"),
    # Connections and requests.
    path("connections/", connections.connections, name="connections"),
    path("connections/requests/<int:pk>/<str:action>/", connections.respond, name="request_respond"),
    # Notifications.
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("notifications/badge/", notifications.badge, name="notifications_badge"),
    # Albums and photos.
    path("albums/", albums.my_albums, name="albums"),
    path("albums/new/", albums.album_create, name="album_create"),
    path("albums/<int:pk>/", albums.album, name="album"),
    path("albums/<int:pk>/edit/", albums.album_edit, name="album_edit"),
    path("albums/<int:pk>/delete/", albums.album_delete, name="album_delete"),
    path("albums/<int:pk>/upload/", albums.upload, name="album_upload"),
    path("albums/<int:pk>/order/", albums.reorder, name="album_reorder"),
    path("photos/<int:pk>/", albums.photo_edit, name="photo_edit"),
    path("photos/<int:pk>/card/", albums.photo_card, name="photo_card"),
    path("photos/<int:pk>/cover/", albums.photo_cover, name="photo_cover"),
    path("photos/<int:pk>/delete/", albums.photo_delete, name="photo_delete"),
    # Alumni.
    path("alumni/", alumni.directory, name="alumni"),
    path("alumni/me/", alumni.me, name="alumni_me"),
    path("alumni/former-colleagues/", alumni.former_colleagues, name="former_colleagues"),
    # HR.
    path("hr/", hr.people, name="hr"),
    path("hr/<str:username>/offboard/", hr.offboard, name="hr_offboard"),
    path("hr/<str:username>/rehire/", hr.rehire, name="hr_rehire"),
    # Settings: devices (one, or everywhere at once) and the exit kit.
    path("settings/", settings.devices, name="settings"),
    path("settings/devices/<int:pk>/revoke/", settings.revoke, name="device_revoke"),
    path("settings/sign-out-everywhere/", settings.sign_out_everywhere, name="sign_out_everywhere"),
    path("settings/export/", settings.export, name="export"),
]
