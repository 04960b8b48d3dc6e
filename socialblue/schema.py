"""OpenAPI extensions for drf-spectacular, loaded by ``SocialBlueConfig.ready()``."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "socialblue.authentication.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`, from `POST /api/v1/auth/token/`.",
        }
