"""Sign-in for apps: a knox token per device, listed and revocable one by one or all at once.

Browsers sign in with a Django session (with CSRF) instead. Both get the known-device cookie
on a successful sign-in (profiles/sign_in_limits.py): an app that keeps cookies and sends it
back when signing in again is not held by the locks a stranger could trigger.
"""

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from profiles import auth_services, sign_in_limits
from profiles.serializers import DeviceTokenSerializer, LoginSerializer, TokenCreatedSerializer

KNOWN_DEVICE = (
    f"A successful answer sets the httponly cookie `{sign_in_limits.DEVICE_COOKIE}`: sent back "
    "when signing in again, it marks a known device, which locks triggered by failures "
    "elsewhere do not hold."
)


class TokenCreateView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=LoginSerializer,
        responses={
            201: TokenCreatedSerializer,
            400: OpenApiResponse(description="Wrong username/email or password"),
            429: OpenApiResponse(description="Too many failed attempts; see Retry-After"),
            503: OpenApiResponse(description="Sign-in is briefly unavailable; see Retry-After"),
        },
        summary="Sign in: a new token for this device",
        description=KNOWN_DEVICE,
        auth=[],
    )
    def post(self, request):
        data = LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = auth_services.token_sign_in(request=request._request, **data.validated_data)
        response = Response({"token": key, "expires_at": token.expiry}, status=status.HTTP_201_CREATED)
        sign_in_limits.remember_device(request=request._request, response=response, user=token.user)
        return response


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Sign out: revoke the token used")
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "digest"):
            auth_services.token_revoke(user=request.user, token_id=request.auth.pk)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke every token of mine, on every device")
    def post(self, request):
        auth_services.token_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "DeviceTokenList",
            {"results": DeviceTokenSerializer(many=True), "next": serializers.URLField(allow_null=True)},
        ),
        summary="My live tokens, one per device",
    )
    def get(self, request):
        tokens = auth_services.tokens_live(user=request.user)
        current = request.auth.pk if request.auth is not None and hasattr(request.auth, "digest") else None
        return Response(
            {
                "results": DeviceTokenSerializer(
                    tokens, many=True, context={"current_token_id": current}
                ).data,
                "next": None,
            }
        )


class TokenDeleteView(APIView):
    @extend_schema(responses={204: None}, summary="Revoke one of my tokens")
    def delete(self, request, pk: int):
        auth_services.token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordSetSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class PasswordSetView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=PasswordSetSerializer,
        responses={
            200: inline_serializer("PasswordSet", {"detail": serializers.CharField()}),
            400: OpenApiResponse(description="Invalid or expired code, or a weak password"),
        },
        summary="Set my password with the code from an emailed link (alumni invitation)",
        description="Works while sign-in is locked out; clears this address's failed sign-ins "
        "for the account and makes this device known. " + KNOWN_DEVICE,
        auth=[],
    )
    def post(self, request):
        data = PasswordSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = auth_services.password_set_by_link(request=request._request, **data.validated_data)
        response = Response({"detail": "Password set. Sign in with your email address and it."})
        sign_in_limits.remember_device(request=request._request, response=response, user=user)
        return response


class PasswordLinkSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordLinkView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Its own bucket (PASSWORD_LINK_RATE per address): each request may send an email.
    throttle_scope = "password_link"

    @extend_schema(
        request=PasswordLinkSerializer,
        responses={
            202: inline_serializer("PasswordLinkSent", {"detail": serializers.CharField()}),
            429: OpenApiResponse(description="Too many requests; see Retry-After"),
        },
        summary="Email me a link to set my password (forgotten, or an expired alumni invitation)",
        auth=[],
    )
    def post(self, request):
        data = PasswordLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        auth_services.password_link_request(**data.validated_data)
        return Response(
            {"detail": "If this address signs in to SocialBlue, a link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )
