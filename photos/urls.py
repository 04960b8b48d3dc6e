from django.urls import path

from photos import api

urlpatterns = [
    path("albums/", api.AlbumCreateView.as_view(), name="album-create"),
    path("albums/<int:pk>/", api.AlbumDetailView.as_view(), name="album-detail"),
    path("albums/<int:pk>/photos/", api.AlbumPhotosView.as_view(), name="album-photos"),
    path("photos/<int:pk>/", api.PhotoDetailView.as_view(), name="photo-detail"),
    path("photos/<int:pk>/media/<str:rendition>/", api.PhotoMediaView.as_view(), name="photo-media"),
    path("profiles/<str:username>/albums/", api.ProfileAlbumsView.as_view(), name="profile-albums"),
]
