"""The authentication backend of the university's log-in (OpenID Connect).

mozilla-django-oidc's backend exchanges the code for the tokens, checks the ID token's
signature with the provider's keys and its nonce, and reads the user info. This subclass
takes the provider's endpoints from its discovery document (accounts.sso), checks the ID
token's issuer and audience too, and leaves who the person is to accounts.sso: matched by
(issuer, subject), never by address alone. Every failure is raised as sso.SsoError (or
sso.LinkRequired) for the callback view to show; it never answers a password log-in (its
keyword arguments are the callback's, so Django does not ask it then).
"""

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import sso


class UniversityBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Not the library's __init__: it reads the endpoints from settings at once, and here
        # they come from the provider's discovery document when a log-in needs them.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, *, nonce, code_verifier):
        # nonce and code_verifier are required: Django asks this backend only when they are
        # given, which only the callback does (never a password log-in).
        if request is None or not sso.enabled():
            return None
        configuration = sso.provider_configuration()
        self.OIDC_OP_TOKEN_ENDPOINT = configuration["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = configuration["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = configuration["jwks_uri"]
        try:
            user = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except requests.HTTPError as error:
            # The provider answered, but refused: an expired or reused code, a wrong secret.
            sso.logger.warning("OpenID Connect token or user info refused: %s", error)
            raise sso.SsoError(
                _("The university's log-in service refused this log-in. Please start again.")
            ) from error
        except requests.RequestException as error:
            sso.logger.warning("OpenID Connect provider unreachable: %s", error)
            raise sso.ProviderUnreachable(
                _(
                    "The university's log-in service does not answer at the moment. Please "
                    "try again later, or log in with your password if you have one."
                )
            ) from error
        except SuspiciousOperation as error:
            sso.logger.warning("OpenID Connect token not accepted: %s", error)
            raise sso.SsoError(
                _("The answer of the university's log-in service could not be verified.")
            ) from error
        if user is None:
            raise sso.SsoError(_("The university's log-in service did not log you in."))
        return user

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        return sso.identity_login(sso.claims_from(payload, userinfo))

    def get_user(self, user_id):
        return self.UserModel.objects.filter(pk=user_id, is_active=True).first()
